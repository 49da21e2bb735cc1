/* SPDX-License-Identifier: GPL-2.0 */
/* Event layouts of the proc family: the single definition; Java reads them from this object's BTF. */
#pragma once

#define PROC_COMM_LEN 16
#define PROC_PATH_LEN 256
#define PROC_ARGS_LEN 1024
#define PROC_SOCKADDR_LEN 128 /* room for struct sockaddr_un (110), the largest a connect(2) takes */

enum proc_event_kind {
	PROC_FORK = 1,
	PROC_EXEC = 2,
	PROC_EXIT = 3,
	PROC_LIBRARIES = 4, /* the dynamic loader finished mapping or unmapping libraries (dlopen, start-up) */
	PROC_OPEN = 5,      /* struct aiscope_proc_io_event */
	PROC_CONNECT = 6,   /* struct aiscope_proc_io_event */
	PROC_CONNECT_RESULT = 7, /* struct aiscope_proc_connect_result */
};

/* Fork, exit and library records end where args[] begins: only an exec carries the argument block. */
struct aiscope_proc_event {
	__u32 kind;
	__u32 tgid;
	__u32 ppid;        /* parent tgid (fork), 0 otherwise */
	__s32 exit_code;   /* exit status as wait(2) encodes it (exit) */
	__u32 stopped;     /* libraries: the process was stopped and waits for aiscope's SIGCONT */
	__u32 args_len;    /* exec: bytes of args[] copied */
	__u64 args_total;  /* exec: bytes of the whole argument block; more than args_len when it was cut */
	__u64 ts_ns;       /* CLOCK_MONOTONIC */
	char comm[PROC_COMM_LEN];
	char filename[PROC_PATH_LEN]; /* exec'd file (exec) */
	char args[PROC_ARGS_LEN];     /* exec: argv as the new image sees it, each argument NUL-terminated */
};

enum proc_io_capture {
	PROC_IO_CUT = 1,        /* open: the path was longer than path[] */
	PROC_IO_UNREADABLE = 2, /* the path or address could not be read from the caller's memory */
};

/* One open(2)/creat(2)/openat(2)/openat2(2) or connect(2) of a traced thread, as it returned. Starts with a kind
 * at the same offset as struct aiscope_proc_event's, which is how the reader tells the two apart. */
struct aiscope_proc_io_event {
	__u32 kind;
	__u32 tgid;
	__u32 tid;
	__u32 flags;       /* open: O_* flags (creat(2): O_CREAT|O_WRONLY|O_TRUNC) */
	__s64 result;      /* the descriptor (open) or 0 (connect), or -errno */
	__u64 ts_ns;
	__u32 capture;     /* enum proc_io_capture */
	__u32 addr_len;    /* connect: bytes of addr[] copied */
	__u64 sock;        /* connect: the struct sock whose outcome a PROC_CONNECT_RESULT reports later, or 0 */
	__u8 addr[PROC_SOCKADDR_LEN];  /* connect: struct sockaddr as the caller passed it */
	char path[PROC_PATH_LEN];      /* open: the path as the caller passed it */
};

/* How a non-blocking TCP connect (one that returned -EINPROGRESS) ended: the handshake finished or failed. Carries
 * the identity of its connect record (tgid, sock, connect_ts_ns), which comes first in the ring. */
struct aiscope_proc_connect_result {
	__u32 kind;
	__u32 tgid;
	__u32 connected;    /* 1: ESTABLISHED; 0: CLOSE */
	__s32 err;          /* on CLOSE, the socket's error (ECONNREFUSED, ETIMEDOUT, ...); 0 when the process closed
	                     * it before the handshake ended */
	__u64 sock;
	__u64 connect_ts_ns; /* ts_ns of the connect record */
	__u64 ts_ns;         /* when the outcome was known */
};
