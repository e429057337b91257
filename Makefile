# Two commands for a new user on a fresh Debian/Ubuntu machine with Python >= 3.11:
#   make book   build the HTML book, warnings as errors; incremental: a chapter re-executes only
#               when its code, the data it reads, the uqsurvey package or the environment changed
#               (_ext/cache_keys.py); `make clean` first for a build from scratch
#   make test   run the whole test suite (package, data, chapters, build, browser)
#   make screens  screenshots of every page at 1366 and 412 px wide in _build/screens/
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.uqsurvey-installed
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)
JB_FLAGS := -n -W --keep-going

.PHONY: book test venv chromium fonts screens clean notebooks

# _build/.jupyter_cache (executions) and _build/.doctrees (Sphinx) are kept between builds.
# A failed build drops _build/.doctrees, so that the next one reads every page again and
# reports every warning again, instead of passing because the offending page is not re-read.
book: $(STAMP) fonts
	$(VENV)/bin/jupyter-book build . $(JB_FLAGS) || { rm -rf _build/.doctrees; exit 1; }
	@echo
	@echo "Book built: $(CURDIR)/_build/html/index.html"

test: $(STAMP) chromium fonts
	$(PY) -m pytest

# Full-page screenshots of every page of the table of contents, at desktop
# (1366 x 768) and phone (412 x 900) width, for a reviewer to look at.
screens: $(STAMP) chromium fonts
	@[ -f _build/html/index.html ] || $(MAKE) book
	$(PY) scripts/screens.py --out _build/screens

venv: $(STAMP)

# (Re)install when the pins change.  The interpreter must be Python >= 3.11.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python >= 3.11 is required (found $$($(PYTHON) --version)); set PYTHON=python3.11"; exit 1; }
	@if [ ! -x "$(PY)" ]; then \
	  $(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: install python3-venv"; exit 1; }; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	touch $(STAMP)

# The browser test drives Debian's Chromium (never a downloaded browser).
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Installing Debian chromium (needed by the browser test)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi
	@test -x "$(CHROMIUM)" || { echo "no $(CHROMIUM); install Debian's chromium package"; exit 1; }

# Quotations from the translated source are Chinese: without a CJK font they draw
# as empty boxes in the browser (and in matplotlib, which finds fonts through
# the same system folders).  Installed like chromium: only when missing.
fonts:
	@if ! fc-list :lang=zh family 2>/dev/null | grep -q .; then \
	  echo "Installing Debian fonts-noto-cjk (Chinese quotations)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq fonts-noto-cjk fontconfig >/dev/null; \
	fi
	@fc-list :lang=zh family 2>/dev/null | grep -q . || { echo "no CJK font; install Debian's fonts-noto-cjk package"; exit 1; }


# Everything built, caches included: the next `make book` executes every chapter.
clean:
	rm -rf _build
