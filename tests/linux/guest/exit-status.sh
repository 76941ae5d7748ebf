#!/bin/sh
# Guest test of the test-mode plumbing itself: exits with the status given
# as `nvsoc_exit=N` on the kernel command line (0 when absent), which nvsoc
# must then exit with.
status=0
for arg in $(cat /proc/cmdline); do
    case $arg in nvsoc_exit=*) status=${arg#nvsoc_exit=} ;; esac
done
echo "exit-status: exiting with $status"
exit "$status"
