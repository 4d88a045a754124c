# The book: vendored browser assets, the Jupyter Book build (every chapter executed, warnings are errors),
# and a local server. Included by the Makefile; `make book` is one of the two commands of the README.
.PHONY: book build serve vendor

BOOK_HTML := _build/html
# -W: any warning fails the build; --keep-going: report them all first. The execution cache (keyed by data/
# and src/, see src/nmd_immuno/sphinxext) makes a rebuild with nothing changed fast.
JB_BUILD_FLAGS ?= -W --keep-going
# tests/conftest.py builds with exactly this command (it reads BOOK_BUILD_CMD from `make -s print-book-build-cmd`).
BOOK_BUILD_CMD = $(BIN)/jupyter-book build . $(JB_BUILD_FLAGS)

book: install vendor build serve

# Browser assets (require.js, ipywidgets HTML manager, MathJax) from package-lock.json into book/_vendor.
vendor:
	@bash scripts/vendor-assets.sh

build: $(STAMP) vendor
	$(BOOK_BUILD_CMD)
	@echo "Built: $(BOOK_HTML)/index.html"

serve:
	@test -f $(BOOK_HTML)/index.html || { echo "No book in $(BOOK_HTML): run make build first" >&2; exit 1; }
	@echo "Serving the book on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/python -m http.server $(PORT) --bind $(HOST) --directory $(BOOK_HTML)

.PHONY: print-book-build-cmd
print-book-build-cmd:
	@echo '$(BOOK_BUILD_CMD)'
