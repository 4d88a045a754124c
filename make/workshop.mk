# Cohort workshops on a local JupyterHub (workshop/jupyterhub_config.py; the Instructors chapter of the book,
# "Running a cohort workshop", explains). Included by the Makefile.
#
# Variables (override on the command line, e.g. `make workshop WORKSHOP_PORT=8020`):
#   WORKSHOP_HOST   address the hub listens on            (default: 127.0.0.1; the config refuses any other
#                   address without HTTPS, and any other address at all as root)
#   WORKSHOP_PORT   its port                              (default: 8010; it also uses the next two ports)
#   WORKSHOP_STATE  hub database, passwords, homes, and the shared answers file   (default: workshop/state)
.PHONY: workshop workshop-deps workshop-help

# Its own variable, set with := so that neither the Makefile's HOST (for `make book`/`make lab`) nor a HOST or
# WORKSHOP_HOST in the environment opens the hub to the network by accident; the command line still can.
WORKSHOP_HOST := 127.0.0.1
WORKSHOP_PORT ?= 8010
WORKSHOP_STATE ?= workshop/state
WORKSHOP_PROXY := workshop/node_modules/.bin/configurable-http-proxy
WORKSHOP_PASSWORDS = $(if $(and $(NMD_WORKSHOP_PASSWORD),$(NMD_WORKSHOP_ADMIN_PASSWORD)),NMD_WORKSHOP_PASSWORD and NMD_WORKSHOP_ADMIN_PASSWORD (from the environment),$(if $(or $(NMD_WORKSHOP_PASSWORD),$(NMD_WORKSHOP_ADMIN_PASSWORD)),the one in the environment and $(WORKSHOP_STATE)/passwords.txt,$(WORKSHOP_STATE)/passwords.txt (generated at the first start)))

workshop-help:
	@echo "A cohort workshop on a local JupyterHub (trial set-up: one system user, no isolation between users;"
	@echo "  every participant can run any command as the hub's system user, root in a container):"
	@echo "  make workshop [WORKSHOP_HOST=127.0.0.1] [WORKSHOP_PORT=8010]  start the hub on http://$(WORKSHOP_HOST):$(WORKSHOP_PORT)/"
	@echo "  make workshop-deps   install the hub's proxy (configurable-http-proxy, npm ci in workshop/)"
	@echo "Passwords: NMD_WORKSHOP_PASSWORD and NMD_WORKSHOP_ADMIN_PASSWORD (at least 8 and 32 characters) when set;"
	@echo "  each one not set is generated at the first start and kept in $(WORKSHOP_STATE)/passwords.txt."
	@echo "Instructors (admins): user 'instructor', or NMD_WORKSHOP_INSTRUCTORS=name1,name2; they open"
	@echo "  notebooks/workshop-dashboard.ipynb."
	@echo "Participants log in with any name (NMD_WORKSHOP_USERS=a,b,c to restrict) and answer in"
	@echo "  notebooks/workshop-quiz.ipynb. Answers: $(WORKSHOP_STATE)/shared/ (delete the folder, hub stopped, to start afresh)."
	@echo "Beyond 127.0.0.1 the hub needs HTTPS (see workshop/jupyterhub_config.py) and must not run as root."
	@echo "For a real workshop (real logins, one system user or container per person) read workshop/jupyterhub_config.py."

# The proxy, exactly as locked in workshop/package-lock.json (it has no install scripts to run).
$(WORKSHOP_PROXY): workshop/package.json workshop/package-lock.json | system-deps
	npm ci --prefix workshop --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

workshop-deps: $(STAMP) $(WORKSHOP_PROXY)

workshop: workshop-deps
	@echo "JupyterHub on http://$(WORKSHOP_HOST):$(WORKSHOP_PORT)/ (Ctrl-C stops it and every user's server)"
	@echo "Passwords: $(WORKSHOP_PASSWORDS); more: make workshop-help"
	NMD_WORKSHOP_HOST=$(WORKSHOP_HOST) NMD_WORKSHOP_PORT=$(WORKSHOP_PORT) NMD_WORKSHOP_STATE=$(abspath $(WORKSHOP_STATE)) \
		$(BIN)/jupyterhub -f workshop/jupyterhub_config.py
