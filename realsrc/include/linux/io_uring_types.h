/* Stands in for <linux/io_uring_types.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_IO_URING_TYPES_H
#define KENV_LINUX_IO_URING_TYPES_H
#include "kenv.h"
#endif
