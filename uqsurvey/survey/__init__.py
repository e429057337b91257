"""The survey: the paper's data and the claims it makes about it.

data        load and validate the data package in ``data/`` (``python -m uqsurvey validate``)
validation  the checks behind it: descriptor, tables, cells, keys (``file:row:column`` problems)
rules       one named rule per quantitative claim of the paper
ledger      evaluation of the rules against the paper, statuses, formats, the ledger page
            (``python -m uqsurvey claims``)
figures     tables (``table_*``) and figures (``figure_*``) regenerated from the data
explorer    interactive offline views of the data for the explorer page
docs        the generated data dictionary and annotated-papers pages
export      the downloadable data zip and ledger CSV
"""
