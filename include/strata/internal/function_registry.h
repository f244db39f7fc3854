// The registry behind STRATA_REMOTE: functions are known by name, so a worker
// (the same executable, started in worker mode) can find the code a driver
// asked for even though addresses differ between processes.
#pragma once

#include <cstring>
#include <functional>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "strata/errors.h"
#include "strata/internal/codec.h"

namespace strata::internal {

struct ArgSpan {
  const char* data;
  size_t size;
  std::shared_ptr<const void> keepalive;  // set when the bytes are a mapped object
};

struct RemoteFunction {
  std::string name;
  // Runs the function (a method when `self` is an actor instance) and encodes
  // its result under `return_id`. Throws what the user code throws.
  std::function<EncodedObject(void* self, const std::vector<ArgSpan>& args,
                              const ObjectId& return_id)>
      invoke;
  // Set for actor factories (a function returning a pointer to a class).
  std::function<void*(const std::vector<ArgSpan>& args)> create;
  std::function<void(void*)> destroy;
};

void RegisterFunction(const std::string& key, RemoteFunction fn);
// nullptr when no function of that name was registered.
const RemoteFunction* FindFunction(const std::string& name);
// The registered name of a function, or throws StrataError naming the problem.
const std::string& NameOfFunction(const std::string& key);
// Splits "A::f, &B::g" (the stringified STRATA_REMOTE arguments) into names.
std::vector<std::string> SplitRemoteNames(const char* names);

template <class F>
std::string FunctionKey(F f) {
  std::string key(reinterpret_cast<const char*>(&f), sizeof(F));
  return key + typeid(F).name();
}

template <class F>
struct FnTraits;
template <class R, class... A>
struct FnTraits<R (*)(A...)> {
  using Return = R;
  using Class = void;
  using Params = std::tuple<A...>;
};
template <class R, class C, class... A>
struct FnTraits<R (C::*)(A...)> {
  using Return = R;
  using Class = C;
  using Params = std::tuple<A...>;
};
template <class R, class C, class... A>
struct FnTraits<R (C::*)(A...) const> : FnTraits<R (C::*)(A...)> {};

template <class Tuple>
struct DecayedTuple;
template <class... A>
struct DecayedTuple<std::tuple<A...>> {
  using type = std::tuple<std::decay_t<A>...>;
};

template <class Tuple, size_t... I>
Tuple DecodeArgs(const std::vector<ArgSpan>& args, std::index_sequence<I...>) {
  return Tuple(DecodeValue<std::tuple_element_t<I, Tuple>>(args[I].data, args[I].size,
                                                           ObjectId::Nil(), args[I].keepalive)...);
}

template <class F>
auto DecodeParams(const std::vector<ArgSpan>& args) {
  using Tuple = typename DecayedTuple<typename FnTraits<F>::Params>::type;
  constexpr size_t n = std::tuple_size_v<Tuple>;
  if (args.size() != n) {
    throw StrataError("expected " + std::to_string(n) + " arguments, got " +
                      std::to_string(args.size()));
  }
  return DecodeArgs<Tuple>(args, std::make_index_sequence<n>());
}

template <class R, class Call>
EncodedObject EncodeResult(Call&& call, const ObjectId& return_id) {
  if constexpr (std::is_void_v<R>) {
    call();
    return EncodeObject(Void{}, return_id);
  } else {
    return EncodeObject(call(), return_id);
  }
}

template <class F>
RemoteFunction MakeRemoteFunction(F f, std::string name) {
  using Tr = FnTraits<F>;
  using R = typename Tr::Return;
  RemoteFunction fn;
  fn.name = std::move(name);
  if constexpr (std::is_void_v<typename Tr::Class> && std::is_pointer_v<R> &&
                std::is_class_v<std::remove_pointer_t<R>>) {
    // An actor factory: runs only through strata::Actor(), never as a task.
    fn.invoke = [](void*, const std::vector<ArgSpan>&, const ObjectId&) -> EncodedObject {
      throw StrataError("an actor factory cannot run as a task; use strata::Actor()");
    };
    fn.create = [f](const std::vector<ArgSpan>& args) -> void* {
      auto params = DecodeParams<F>(args);
      return static_cast<void*>(std::apply(f, std::move(params)));
    };
    fn.destroy = [](void* p) { delete static_cast<std::remove_pointer_t<R>*>(p); };
  } else if constexpr (std::is_void_v<typename Tr::Class>) {
    fn.invoke = [f](void*, const std::vector<ArgSpan>& args, const ObjectId& rid) {
      auto params = DecodeParams<F>(args);
      return EncodeResult<R>([&]() -> decltype(auto) { return std::apply(f, std::move(params)); },
                             rid);
    };
  } else {
    using C = typename Tr::Class;
    fn.invoke = [f](void* self, const std::vector<ArgSpan>& args, const ObjectId& rid) {
      auto params = DecodeParams<F>(args);
      C* object = static_cast<C*>(self);
      return EncodeResult<R>(
          [&]() -> decltype(auto) {
            return std::apply([&](auto&&... a) -> decltype(auto) { return (object->*f)(a...); },
                              std::move(params));
          },
          rid);
    };
  }
  return fn;
}

template <class... Fs>
bool RegisterRemote(const char* names, Fs... fs) {
  std::vector<std::string> split = SplitRemoteNames(names);
  if (split.size() != sizeof...(Fs)) {
    throw StrataError(std::string("STRATA_REMOTE: cannot split names in '") + names + "'");
  }
  size_t i = 0;
  (RegisterFunction(FunctionKey(fs), MakeRemoteFunction(fs, split[i++])), ...);
  return true;
}

}  // namespace strata::internal

#define STRATA_CONCAT_INNER(a, b) a##b
#define STRATA_CONCAT(a, b) STRATA_CONCAT_INNER(a, b)

// Registers functions, actor factories and actor methods so they can run
// remotely. Use once per function, at namespace scope, in any source file:
//   STRATA_REMOTE(Square);
//   STRATA_REMOTE(Counter::Create, &Counter::Add);
// Names are taken from the source text, so every process of the same
// executable agrees on them.
#define STRATA_REMOTE(...)                                                         \
  [[maybe_unused]] static const bool STRATA_CONCAT(strata_remote_, __COUNTER__) = \
      ::strata::internal::RegisterRemote(#__VA_ARGS__, __VA_ARGS__)
