# Cohort workshops on a local JupyterHub (workshop/jupyterhub_config.py; the Instructors chapter of the book,
# "Running a cohort workshop", explains). Included by the Makefile.
#
# Variables (override on the command line, e.g. `make workshop WORKSHOP_PORT=8020`):
#   HOST            address the hub listens on            (default: 127.0.0.1; anything else needs HTTPS first)
#   WORKSHOP_PORT   its port                              (default: 8010; it also uses the next two ports)
#   WORKSHOP_STATE  hub database, passwords, homes, and the shared answers file   (default: workshop/state)
.PHONY: workshop workshop-deps workshop-help

WORKSHOP_PORT ?= 8010
WORKSHOP_STATE ?= workshop/state
WORKSHOP_PROXY := workshop/node_modules/.bin/configurable-http-proxy

workshop-help:
	@echo "A cohort workshop on a local JupyterHub (trial set-up: one system user, no isolation between users):"
	@echo "  make workshop [HOST=127.0.0.1] [WORKSHOP_PORT=8010]  start the hub on http://$(HOST):$(WORKSHOP_PORT)/"
	@echo "  make workshop-deps   install the hub's proxy (configurable-http-proxy, npm ci in workshop/)"
	@echo "Passwords: $(WORKSHOP_STATE)/passwords.txt (generated at the first start; or set NMD_WORKSHOP_PASSWORD"
	@echo "  and NMD_WORKSHOP_ADMIN_PASSWORD, at least 8 and 32 characters). Instructors (admins): user 'instructor',"
	@echo "  or NMD_WORKSHOP_INSTRUCTORS=name1,name2; they open notebooks/workshop-dashboard.ipynb."
	@echo "Participants log in with any name (NMD_WORKSHOP_USERS=a,b,c to restrict) and answer in"
	@echo "  notebooks/workshop-quiz.ipynb. Answers: $(WORKSHOP_STATE)/shared/ (delete the folder, hub stopped, to start afresh)."
	@echo "For a real workshop (real logins, one system user or container per person) read workshop/jupyterhub_config.py."

# The proxy, exactly as locked in workshop/package-lock.json (it has no install scripts to run).
$(WORKSHOP_PROXY): workshop/package.json workshop/package-lock.json | system-deps
	npm ci --prefix workshop --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

workshop-deps: $(STAMP) $(WORKSHOP_PROXY)

workshop: workshop-deps
	@echo "JupyterHub on http://$(HOST):$(WORKSHOP_PORT)/ (Ctrl-C stops it and every user's server)"
	@echo "Passwords: $(WORKSHOP_STATE)/passwords.txt; more: make workshop-help"
	NMD_WORKSHOP_HOST=$(HOST) NMD_WORKSHOP_PORT=$(WORKSHOP_PORT) NMD_WORKSHOP_STATE=$(abspath $(WORKSHOP_STATE)) \
		$(BIN)/jupyterhub -f workshop/jupyterhub_config.py
