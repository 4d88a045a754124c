# Cohort workshops on one server's JupyterHub (workshop/jupyterhub_config.py; the Instructors chapter of the
# book, "Running a cohort workshop", explains). Included by the Makefile.
#
# Variables (override on the command line, e.g. `make workshop ROSTER=cohort.csv`):
#   ROSTER          who may log in: CSV username,display_name,role  (default: workshop/demo-roster.csv)
#   WORKSHOP_HOST   address the hub listens on            (default: 127.0.0.1; any other address needs HTTPS)
#   WORKSHOP_PORT   its port                              (default: 8010; it also uses the next three ports)
#   WORKSHOP_STATE  hub database, cookie secret, passwords, answers  (default: workshop/state)
.PHONY: workshop workshop-deps workshop-help

# Its own variable, set with := so that neither the Makefile's HOST (for `make book`/`make lab`) nor a HOST or
# WORKSHOP_HOST in the environment opens the hub to the network by accident; the command line still can.
WORKSHOP_HOST := 127.0.0.1
WORKSHOP_PORT ?= 8010
WORKSHOP_STATE ?= workshop/state
ROSTER ?= workshop/demo-roster.csv
WORKSHOP_PROXY := workshop/node_modules/.bin/configurable-http-proxy

workshop-help:
	@echo "A cohort workshop on this server's JupyterHub: one Unix account per person on the roster, each"
	@echo "  server running as its own user, answers recorded by the hub's answers service."
	@echo "  make workshop [ROSTER=cohort.csv] [WORKSHOP_PORT=8010]  start the hub (as root) on http://$(WORKSHOP_HOST):$(WORKSHOP_PORT)/"
	@echo "  make workshop-deps   install the hub's proxy (configurable-http-proxy, npm ci in workshop/)"
	@echo "Roster: CSV with the header username,display_name,role (participant or instructor); a bad line stops"
	@echo "  the hub with its number and the reason. Default: workshop/demo-roster.csv."
	@echo "Logins: each person sets their own password at their first login (at least 10 characters)."
	@echo "Instructors open notebooks/workshop-dashboard.ipynb and have the nbgrader course in ~/course;"
	@echo "  participants answer in notebooks/workshop-quiz.ipynb."
	@echo "State: $(WORKSHOP_STATE)/ (hub database, passwords, answers/ readable by the answers service only)."
	@echo "Beyond 127.0.0.1 the hub needs HTTPS (see workshop/jupyterhub_config.py)."

# The proxy, exactly as locked in workshop/package-lock.json (it has no install scripts to run).
$(WORKSHOP_PROXY): workshop/package.json workshop/package-lock.json | system-deps
	npm ci --prefix workshop --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

workshop-deps: $(STAMP) $(WORKSHOP_PROXY)

workshop: workshop-deps
	@echo "JupyterHub on http://$(WORKSHOP_HOST):$(WORKSHOP_PORT)/ for the roster $(ROSTER) (Ctrl-C stops it and every server)"
	NMD_WORKSHOP_HOST=$(WORKSHOP_HOST) NMD_WORKSHOP_PORT=$(WORKSHOP_PORT) NMD_WORKSHOP_STATE=$(abspath $(WORKSHOP_STATE)) \
		NMD_WORKSHOP_ROSTER=$(abspath $(ROSTER)) $(BIN)/jupyterhub -f workshop/jupyterhub_config.py
