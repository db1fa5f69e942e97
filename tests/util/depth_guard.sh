#!/bin/sh
# Test guard for nested credential processes: runs its arguments, unless this is the fifth
# nesting, where it fails at once. A loop that aws-runas fails to stop then ends here instead of
# filling the process table (tests/process_loops.rs).
depth=$(( ${AWS_RUNAS_TEST_DEPTH:-0} + 1 ))
if [ "$depth" -gt 4 ]; then
    echo "depth guard: nested $depth deep, the loop was not stopped" >&2
    exit 97
fi
AWS_RUNAS_TEST_DEPTH=$depth
export AWS_RUNAS_TEST_DEPTH
exec "$@"
