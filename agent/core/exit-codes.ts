/** sysexits.h codes that systemd and installers rely on. */
export const EX_OK = 0;
export const EX_USAGE = 64;
/** required service or hardware missing (no GPIO, no serial adapter) */
export const EX_UNAVAILABLE = 69;
export const EX_SOFTWARE = 70;
/** input/output error (the buffer's disk is full or read-only): systemd restarts, the disk may be freed */
export const EX_IOERR = 74;
/** configuration error: systemd must not restart on it (RestartPreventExitStatus=78) */
export const EX_CONFIG = 78;
