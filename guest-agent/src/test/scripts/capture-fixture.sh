#!/bin/sh
# Snapshots the /proc and /sys files the guest agent parses into a fixture root, so parsers can be tested
# on real kernel output. Run inside a guest as root:  capture-fixture.sh DEST [PID...]
# Without PIDs every process is captured. Per-thread files are captured for multi-threaded processes
# (the agent sums schedstat and context switches over threads).
set -eu
dest=$1; shift
mkdir -p "$dest/proc" "$dest/sys/devices/system/cpu"
grab() { # src dst: copy a pseudo-file (size 0 in stat, so cat, not cp); skip if absent or unreadable
    [ -r "$1" ] && cat "$1" > "$2" 2>/dev/null || rm -f "$2"
}
grab /proc/stat "$dest/proc/stat"
grab /proc/schedstat "$dest/proc/schedstat"
grab /proc/lock_stat "$dest/proc/lock_stat"
if [ -r /proc/pressure/cpu ]; then mkdir -p "$dest/proc/pressure"; grab /proc/pressure/cpu "$dest/proc/pressure/cpu"; fi
c=/sys/devices/system/cpu
for f in possible present online offline kernel_max; do grab $c/$f "$dest/sys/devices/system/cpu/$f"; done
for d in $c/cpu[0-9]*; do
    n=$(basename "$d"); mkdir -p "$dest/sys/devices/system/cpu/$n/topology"
    grab "$d/online" "$dest/sys/devices/system/cpu/$n/online"
    grab "$d/topology/core_id" "$dest/sys/devices/system/cpu/$n/topology/core_id"
done
pids=${*:-$(ls /proc | grep -E '^[0-9]+$')}
for p in $pids; do
    [ -d /proc/$p ] || continue
    mkdir -p "$dest/proc/$p"
    for f in stat status schedstat; do grab /proc/$p/$f "$dest/proc/$p/$f"; done
    threads=$(ls /proc/$p/task 2>/dev/null | wc -l)
    if [ "$threads" -gt 1 ]; then
        for t in $(ls /proc/$p/task); do
            mkdir -p "$dest/proc/$p/task/$t"
            for f in stat status schedstat; do grab /proc/$p/task/$t/$f "$dest/proc/$p/task/$t/$f"; done
        done
    fi
    [ -s "$dest/proc/$p/stat" ] || rm -rf "$dest/proc/$p"   # exited while we copied
done
