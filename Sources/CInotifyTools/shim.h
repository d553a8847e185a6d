#ifndef ROSTER_CINOTIFYTOOLS_SHIM_H
#define ROSTER_CINOTIFYTOOLS_SHIM_H

// inotifytools.h only forward-declares struct inotify_event: include the kernel header first.
#include <sys/inotify.h>
#include <inotifytools/inotifytools.h>
// statfs(), to tell network and FUSE file systems (where inotify sees nothing) from local ones.
#include <sys/vfs.h>

/// The name that follows an event, or NULL. Swift can't see the flexible array member.
static inline const char *CInotifyTools_event_name(const struct inotify_event *event) {
    return event->len > 0 ? event->name : 0;
}

#endif
