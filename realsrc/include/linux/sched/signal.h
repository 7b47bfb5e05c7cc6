/* Stands in for <linux/sched/signal.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_SCHED_SIGNAL_H
#define KENV_LINUX_SCHED_SIGNAL_H
#include "kenv.h"
#endif
