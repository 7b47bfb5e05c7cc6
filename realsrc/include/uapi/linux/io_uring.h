/* Stands in for <uapi/linux/io_uring.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_UAPI_LINUX_IO_URING_H
#define KENV_UAPI_LINUX_IO_URING_H
#include "kenv.h"
#endif
