/* Logging for runtime/ and the task loop (inner layers return errors and do
 * not log). Messages go to the log fd (stderr unless --log=FILE). */
#ifndef CONTERNEL_LIB_LOG_H
#define CONTERNEL_LIB_LOG_H

#include <stdbool.h>
#include "macro.h"

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);
void log_set_fd(int fd);
int log_get_fd(void);
void log_msg(enum log_level level, const char *fmt, ...) _printf_(2, 3);

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) \
        do { if (log_enabled(LOG_DEBUG)) log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)

#endif
