"""Render a BibTeX author list that ends in ``and others`` as "First et al." in citations.

``references.bib`` gives only the first author of many papers (the source
paper names them as "X et al."), followed by BibTeX's ``and others``.
sphinxcontrib-bibtex's author-year labels join two names with "and", which
would print "Xiong and others"; this wraps its ``join`` node so that a list
whose last name is "others" is shortened with the style's "et al." instead.
"""
from __future__ import annotations


def setup(app):
    from pybtex.richtext import Text
    from pybtex.style.template import node
    from sphinxcontrib.bibtex.style import template

    original = template.join

    @node
    def join(children, data, sep="", sep2=None, last_sep=None, other=None):
        parts = [part for part in template._format_list(children, data) if part]
        if other is not None and len(parts) >= 2 and str(parts[-1]).strip() == "others":
            return Text(parts[0], other)
        return original(sep=sep, sep2=sep2, last_sep=last_sep, other=other)[children].format_data(data)

    template.join = join
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
