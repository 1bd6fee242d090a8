# The OMS in two commands: `make demo` and `make test` (see README.md).
.PHONY: demo test setup setup-test lint format messages serve worker migrate

PY := .venv/bin/python

demo: setup
	scripts/demo.sh

test: setup-test
	scripts/test.sh

setup:
	scripts/bootstrap.sh

setup-test:
	scripts/bootstrap.sh --with-browser

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/djlint templates --lint
	.venv/bin/lint-imports
	.venv/bin/python scripts/check_architecture.py

format:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .
	.venv/bin/djlint templates --reformat

messages:
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	msgfmt --check -o locale/zh_Hans/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/django.po

migrate:
	$(PY) manage.py migrate

serve:
	.venv/bin/gunicorn oms.wsgi --bind 127.0.0.1:8000 --workers 2

worker:
	.venv/bin/celery -A oms worker -B --loglevel=INFO
