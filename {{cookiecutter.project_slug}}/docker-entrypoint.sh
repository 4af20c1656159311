#!/bin/sh
# The container's start: bring the database's schema up to date, then serve.
# `flask db upgrade` builds the declared indexes under a lock (so replicas that
# start together take turns) with MONGODB_DEPLOY_URI's credential; if it fails,
# the container stops here with one line saying why, before taking any traffic.
set -eu
# Settings come from the environment only: the flask command would otherwise
# read a .env file from the working directory or above it.
export FLASK_SKIP_DOTENV=1
flask --app {{ cookiecutter.package_name }} db upgrade
exec "$@"
