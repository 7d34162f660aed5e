#!/bin/bash
# The pids limit holds a fork bomb in. Usage: fork-bomb.sh CONTERNEL PROGRAM [PLATFORM]
set -u
conternel=$1 prog=$2 platform=${3:-systrap}
if "$conternel" do --platform="$platform" --pids-limit=40 --log=/dev/null -- "$prog" 40; then
        echo "1 passed, 0 failed"
else
        echo "0 passed, 1 failed"
        exit 1
fi
