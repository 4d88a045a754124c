# The instructor's nbgrader workflow (book/instructors.md explains it). Every target runs
# `python -m nmd_immuno.grading`, which calls the real nbgrader commands. Included by the Makefile.
#
# Variables (override on the command line, e.g. `make assignments-autograde ASSIGNMENT=a1-dosing-safety WORKERS=2`):
#   COURSE_DIR  nbgrader course folder                      (default: assignments)
#   EXCHANGE    nbgrader exchange folder                    (default: $NBGRADER_EXCHANGE, else COURSE_DIR/exchange)
#   COURSE_ID   nbgrader course id                          (default: $NMD_COURSE_ID, else nmd-immuno)
#   ASSIGNMENT  one assignment id                           (default: every assignment in COURSE_DIR/source)
#   STUDENT     autograde/feedback only these students      (space-separated ids; default: all)
#   WORKERS     students autograded at once                 (default: 1; parallel grading is safe, see the chapter)
#   DUEDATE     due date in UTC for generate                (e.g. "2026-03-01 23:59")
#   TIMEOUT     seconds a cell may run when autograding     (default: nbgrader_config.py, 60)
#   ITEM_STATS  report: also write item statistics there    (e.g. data/quizzes/item_stats; default: none)
.PHONY: instructor-help assignments-generate assignments-release assignments-collect assignments-autograde \
	assignments-feedback assignments-export assignments-report

COURSE_DIR ?= assignments
EXCHANGE ?=
COURSE_ID ?=
ASSIGNMENT ?=
STUDENT ?=
WORKERS ?= 1
DUEDATE ?=
TIMEOUT ?=
ITEM_STATS ?=

GRADING = $(BIN)/python -m nmd_immuno.grading --course-dir $(COURSE_DIR) $(if $(EXCHANGE),--exchange $(EXCHANGE)) \
	$(if $(COURSE_ID),--course-id $(COURSE_ID)) $(if $(TIMEOUT),--timeout $(TIMEOUT))
GRADING_ASSIGNMENTS = $(or $(ASSIGNMENT),$(sort $(notdir $(patsubst %/,%,$(dir $(wildcard $(COURSE_DIR)/source/*/*.ipynb))))))

instructor-help:
	@echo "The nbgrader workflow, in order (course: $(COURSE_DIR); see the Instructors chapter of the book):"
	@echo "  make assignments-generate  [ASSIGNMENT=..] [DUEDATE=\"2026-03-01 23:59\"]  student versions in $(COURSE_DIR)/release (leak-checked)"
	@echo "  make assignments-release   [ASSIGNMENT=..] [EXCHANGE=..]   copy them to the exchange for students to fetch"
	@echo "  make assignments-collect   [ASSIGNMENT=..]                 submissions from the exchange into $(COURSE_DIR)/submitted"
	@echo "  make assignments-autograde [ASSIGNMENT=..] [STUDENT=..] [WORKERS=2]  integrity checks + autograde"
	@echo "  make assignments-feedback  [ASSIGNMENT=..] [STUDENT=..]    sanitised HTML feedback, released to the exchange"
	@echo "  make assignments-export    [ASSIGNMENT=..]                 $(COURSE_DIR)/reports/grades.csv with a status column"
	@echo "  make assignments-report    [ASSIGNMENT=..] [ITEM_STATS=data/quizzes/item_stats]  item analysis in $(COURSE_DIR)/reports/items"
	@echo "Manual grading: formgrader (cd $(COURSE_DIR) && jupyter lab, then Nbgrader > Formgrader); rubrics in $(COURSE_DIR)/rubrics"
	@echo "Outcome codes of the export: $(BIN)/python -m nmd_immuno.grading codes"

assignments-generate: $(STAMP)
	$(GRADING) generate $(ASSIGNMENT) $(if $(DUEDATE),--duedate "$(DUEDATE)")

assignments-release: $(STAMP)
	$(GRADING) release $(ASSIGNMENT)

assignments-collect: $(STAMP)
	$(GRADING) collect $(ASSIGNMENT)

assignments-autograde: $(STAMP)
	$(GRADING) autograde $(ASSIGNMENT) $(addprefix --student ,$(STUDENT)) --workers $(WORKERS)

assignments-feedback: $(STAMP)
	@set -e; for a in $(GRADING_ASSIGNMENTS); do \
		echo "$(GRADING) feedback $$a --release $(addprefix --student ,$(STUDENT))"; \
		$(GRADING) feedback $$a --release $(addprefix --student ,$(STUDENT)); \
	done

assignments-export: $(STAMP)
	$(GRADING) export $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT))

assignments-report: $(STAMP)
	@set -e; for a in $(GRADING_ASSIGNMENTS); do \
		echo "$(GRADING) report $$a $(if $(ITEM_STATS),--item-stats $(ITEM_STATS))"; \
		$(GRADING) report $$a $(if $(ITEM_STATS),--item-stats $(ITEM_STATS)); \
	done
