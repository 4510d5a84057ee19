check:  ## what CI runs: format, lint, types, tests
	ruff format --check .
	ruff check .
	mypy
	pytest

.PHONY: check
