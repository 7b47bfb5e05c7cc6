/* Stands in for <linux/errno.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_ERRNO_H
#define KENV_LINUX_ERRNO_H
#include "kenv.h"
#endif
