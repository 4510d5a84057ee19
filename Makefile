check:  ## what CI runs: format, lint, tests
	ruff format --check .
	ruff check .
	pytest

.PHONY: check
