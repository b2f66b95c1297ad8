// CPU time of a server process, read from outside (Linux /proc): which process listens on a loopback
// port, and the CPU its threads have used so far (schedstat, nanoseconds). workerd stops its clocks
// while JavaScript runs, so CPU per request can only be measured this way. Elsewhere: undefined.
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** The inode of the socket listening on 127.0.0.1:`port` (from /proc/net/tcp), if any. */
function listeningInode(port: number): string | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    // local_address "0100007F:PORT", state 0A = LISTEN, inode in column 10
    if (fields[1] === `0100007F:${hexPort}` && fields[3] === "0A") return fields[9];
  }
  return undefined;
}

/** The pid of the process listening on 127.0.0.1:`port`, or undefined (not Linux, not found, no access). */
export function pidListeningOn(port: number): number | undefined {
  try {
    const inode = listeningInode(port);
    if (inode === undefined) return undefined;
    const target = `socket:[${inode}]`;
    for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
      let descriptors: string[];
      try {
        descriptors = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of descriptors) {
        try {
          if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return Number(pid);
        } catch {
          // the descriptor closed meanwhile
        }
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** CPU milliseconds all threads of `pid` have used so far, or undefined when it cannot be read. */
export function processCpuMs(pid: number): number | undefined {
  try {
    let nanoseconds = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        nanoseconds += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // the thread ended meanwhile
      }
    }
    return nanoseconds / 1e6;
  } catch {
    return undefined;
  }
}
