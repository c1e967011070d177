// EventQueue: events made while completions are handled (or between Drains),
// handed to the sink in order by EngineCore::DeliverQueued. Besides plain
// events it carries two actions that must happen at their turn in the
// order: releasing a handle with its kClosed, and delivering a socket's
// stash (bytes and EOF held back while it was not reading).
#pragma once

#include "backend.h"
#include "ring_queue.h"

namespace iocpnet {

struct QueuedEvent {
  enum class Action : uint8_t {
    kDeliver = 0,        // hand `event` to the sink
    kDeliverClosed = 1,  // kClosed: release the handle, then hand it over
    kDeliverStash = 2,   // deliver the stash of `event.handle`
  };
  Event event;
  Action action;
};

using EventQueue = RingQueue<QueuedEvent>;

}  // namespace iocpnet
