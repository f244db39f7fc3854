// Worker mode: what Init() does in a process the node agent started. Runs
// tasks one at a time, in the order the agent sent them, until the agent
// goes away; then exits the process.
#pragma once

#include "client/core_runtime.h"

namespace strata::client {

[[noreturn]] void RunWorker(CoreRuntime* runtime);

// The task this thread is running (Nil outside a task).
TaskId CurrentTaskId();

}  // namespace strata::client
