/* Stands in for <linux/rculist_nulls.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_RCULIST_NULLS_H
#define KENV_LINUX_RCULIST_NULLS_H
#include "kenv.h"
#endif
