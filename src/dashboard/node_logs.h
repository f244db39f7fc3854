// Logs of the other nodes, for the dashboard's logs page: the head's
// dashboard asks a node's agent (as a CLI connection, with the cluster token)
// for its log files or the tail of one (kLogRequest).
#pragma once

#include <string>

#include "common/status.h"
#include "rpc/cluster_messages.h"

namespace strata::dashboard {

// Blocks up to a few seconds (a server thread, never the head's loop).
// An error when the node cannot be reached or answers nonsense; a log the
// node does not have is the reply's `error`.
Result<rpc::LogReply> FetchNodeLog(const std::string& address, const std::string& token,
                                   const rpc::LogRequest& request);

}  // namespace strata::dashboard
