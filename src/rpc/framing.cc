#include "rpc/framing.h"

namespace strata::rpc {

const char* MsgTypeName(MsgType t) {
  switch (t) {
    case MsgType::kHello: return "Hello";
    case MsgType::kWelcome: return "Welcome";
    case MsgType::kSubmitTasks: return "SubmitTasks";
    case MsgType::kPutObjects: return "PutObjects";
    case MsgType::kRefDeltas: return "RefDeltas";
    case MsgType::kGetObjects: return "GetObjects";
    case MsgType::kObjectsReady: return "ObjectsReady";
    case MsgType::kExecuteTasks: return "ExecuteTasks";
    case MsgType::kTaskResults: return "TaskResults";
    case MsgType::kWorkerBlocked: return "WorkerBlocked";
    case MsgType::kWorkerUnblocked: return "WorkerUnblocked";
    case MsgType::kStatusRequest: return "StatusRequest";
    case MsgType::kStatusReply: return "StatusReply";
    case MsgType::kStopCluster: return "StopCluster";
    case MsgType::kError: return "Error";
    case MsgType::kLogLines: return "LogLines";
    case MsgType::kNodeReport: return "NodeReport";
    case MsgType::kClusterView: return "ClusterView";
    case MsgType::kForwardTasks: return "ForwardTasks";
    case MsgType::kPullChunk: return "PullChunk";
    case MsgType::kObjectChunk: return "ObjectChunk";
    case MsgType::kEndJob: return "EndJob";
    case MsgType::kDrainNode: return "DrainNode";
    case MsgType::kDrainReply: return "DrainReply";
    case MsgType::kFetchBinary: return "FetchBinary";
    case MsgType::kBinaryChunk: return "BinaryChunk";
    case MsgType::kJobRequest: return "JobRequest";
    case MsgType::kJobReply: return "JobReply";
    case MsgType::kTakeObjects: return "TakeObjects";
    case MsgType::kAutoscalerReport: return "AutoscalerReport";
    case MsgType::kKillActor: return "KillActor";
    case MsgType::kTimelineRequest: return "TimelineRequest";
    case MsgType::kTimelineReply: return "TimelineReply";
    case MsgType::kPipelineReport: return "PipelineReport";
    case MsgType::kLogRequest: return "LogRequest";
    case MsgType::kLogReply: return "LogReply";
  }
  return "Unknown";
}

FrameReader::Result FrameReader::Next(const char* data, size_t size, MsgType* type,
                                      const char** body, size_t* body_size, size_t* frame_size,
                                      std::string* error) const {
  if (size < kFrameHeaderBytes) return Result::kNeedMore;
  uint32_t len = 0;
  for (int i = 0; i < 4; ++i) len |= static_cast<uint32_t>(static_cast<uint8_t>(data[i])) << (8 * i);
  if (len < 1 || len > kMaxFrameBytes) {
    *error = "frame length " + std::to_string(len) + " outside 1.." + std::to_string(kMaxFrameBytes);
    return Result::kCorrupt;
  }
  const uint8_t t = static_cast<uint8_t>(data[4]);
  if (t == 0 || t > kMaxMsgType) {
    *error = "unknown message type " + std::to_string(t);
    return Result::kCorrupt;
  }
  if (size < 4 + static_cast<size_t>(len)) return Result::kNeedMore;
  *type = static_cast<MsgType>(t);
  *body = data + kFrameHeaderBytes;
  *body_size = len - 1;
  *frame_size = 4 + static_cast<size_t>(len);
  return Result::kFrame;
}

}  // namespace strata::rpc
