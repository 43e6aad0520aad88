#!/bin/sh
# Migrations first (several containers may start at once: an advisory lock makes the others
# wait), then the server in this process's place so that it receives the container's signals.
# Runs in the image's WORKDIR (/app).
set -eu
npm run --silent migrate
exec npm start --silent
