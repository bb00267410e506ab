// Process CPU time from /proc (utime + stime of the whole thread group), in seconds.
import fs from "node:fs";

const TICK = 100; // USER_HZ on Linux

export function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields from 3 (state) on
  return (Number(f[11]) + Number(f[12])) / TICK; // fields 14 (utime) and 15 (stime)
}

export function cpuOfAll(pids) {
  let s = 0;
  for (const p of pids) s += cpuSeconds(p);
  return s;
}

// On-CPU time of every live thread of `pid` from /proc/PID/task/*/schedstat, in seconds (ns resolution).
export function cpuSecondsPrecise(pid) {
  let ns = 0;
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread exited meanwhile
    }
  }
  return ns / 1e9;
}
