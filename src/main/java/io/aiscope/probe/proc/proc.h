/* SPDX-License-Identifier: GPL-2.0 */
/* Event layouts of the proc family: the single definition; Java reads them from this object's BTF. */
#pragma once

#define PROC_COMM_LEN 16
#define PROC_PATH_LEN 256

enum proc_event_kind {
	PROC_FORK = 1,
	PROC_EXEC = 2,
	PROC_EXIT = 3,
	PROC_LIBRARIES = 4, /* the dynamic loader finished mapping or unmapping libraries (dlopen, start-up) */
};

struct aiscope_proc_event {
	__u32 kind;
	__u32 tgid;
	__u32 ppid;        /* parent tgid (fork), 0 otherwise */
	__s32 exit_code;   /* exit status as wait(2) encodes it (exit) */
	__u32 stopped;     /* libraries: the process was stopped and waits for aiscope's SIGCONT */
	__u32 _pad;
	__u64 ts_ns;       /* CLOCK_MONOTONIC */
	char comm[PROC_COMM_LEN];
	char filename[PROC_PATH_LEN]; /* exec'd file (exec) */
};
