/* Stands in for <linux/task_work.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_TASK_WORK_H
#define KENV_LINUX_TASK_WORK_H
#include "kenv.h"
#endif
