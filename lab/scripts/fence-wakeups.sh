#!/bin/bash
# What wakes a fenced CPU? Run in a lab guest (it shares the host root), after mvn package:
#   ./run-lab --guests 1 --vcpus 4 --timeout 150 --exec "bash $PWD/lab/scripts/fence-wakeups.sh"
# A JVM spins 4 threads on kept CPUs 0-1, CPUs 2-3 are fenced by a cgroup v2 cpuset as the agent does;
# kprobes count the IPI callbacks and trace events the timers and task switches on CPUs 2-3 for 10 s.
mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
echo +cpuset > cgroup.subtree_control
mkdir -p k; echo 0-1 > k/cpuset.cpus
for p in $(cat cgroup.procs); do echo $p > k/cgroup.procs 2>/dev/null; done
for irq in /proc/irq/*/smp_affinity_list; do echo 0-1 > $irq 2>/dev/null; done
echo 3 > /sys/devices/virtual/workqueue/cpumask
java -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$(dirname "$0")/../target/test-classes" io.vcpubal.lab.apps.SpinApp 4 > /dev/null &
sleep 8
mountpoint -q /sys/kernel/tracing || mount -t tracefs none /sys/kernel/tracing
T=/sys/kernel/tracing
echo 0 > $T/tracing_on
echo c > $T/tracing_cpumask
for f in nohz_csd_func flush_tlb_func rcu_exp_handler ipi_mb ipi_sync_rq_state do_sync_core remote_function __smp_call_single_queue generic_smp_call_function_single_interrupt; do
  echo "p:p_$f $f" >> $T/kprobe_events 2>/dev/null && echo 1 > $T/events/kprobes/p_$f/enable
done
echo 1 > $T/events/timer/hrtimer_expire_entry/enable
echo 1 > $T/events/sched/sched_switch/enable
echo 1 > $T/events/irq_vectors/call_function_entry/enable 2>/dev/null
echo 1 > $T/events/irq_vectors/call_function_single_entry/enable 2>/dev/null
echo 1 > $T/events/irq_vectors/local_timer_entry/enable 2>/dev/null
echo > $T/trace
awk '/LOC|CAL|RES/ {print $1, $2, $3, $4, $5}' /proc/interrupts
echo 1 > $T/tracing_on; sleep 10; echo 0 > $T/tracing_on
awk '/LOC|CAL|RES/ {print $1, $2, $3, $4, $5}' /proc/interrupts
echo "== events (count)"
grep -v "^#" $T/trace | awk '{for(i=1;i<=NF;i++) if ($i ~ /:$/ && $i !~ /^[0-9.]+:$/) {print $i; break}}' | sort | uniq -c | sort -rn | head -30
echo "== hrtimers"
grep -oE "function=[a-z_0-9.]+" $T/trace | sort | uniq -c | sort -rn | head
echo "== switched to"
grep -oE "next_comm=[^ ]+" $T/trace | sort | uniq -c | sort -rn | head
kill %1
