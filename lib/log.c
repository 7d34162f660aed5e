#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Set once in main() before any other thread exists; read-only afterwards. */
static enum log_level log_level = LOG_WARN;
static int log_fd = STDERR_FILENO;

void log_set_level(enum log_level level)
{
        log_level = level;
}

bool log_enabled(enum log_level level)
{
        return level <= log_level;
}

void log_set_fd(int fd)
{
        log_fd = fd;
}

int log_get_fd(void)
{
        return log_fd;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
        static const char *const names[] = { "error", "warning", "info", "debug" };
        char line[1024];
        va_list ap;
        int n;

        if (!log_enabled(level))
                return;
        n = snprintf(line, sizeof(line), "conternel[%ld]: %s: ",
                     (long)syscall(SYS_gettid), names[level]);
        va_start(ap, fmt);
        n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
        va_end(ap);
        if (n > (int)sizeof(line) - 2)
                n = (int)sizeof(line) - 2;
        line[n++] = '\n';
        /* One write per line so concurrent threads do not interleave. */
        (void)!write(log_fd, line, (size_t)n);
}
