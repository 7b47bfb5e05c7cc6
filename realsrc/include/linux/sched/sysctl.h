/* Stands in for <linux/sched/sysctl.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_SCHED_SYSCTL_H
#define KENV_LINUX_SCHED_SYSCTL_H
#include "kenv.h"
#endif
