#include "worker/proto/action.h"

namespace s3p {

Body::Body() = default;
Body::Body(BodyKind k, std::string b, uint32_t h) : kind(k), bytes(std::move(b)), handle(h) {}
Body::~Body() = default;
Body::Body(const Body&) = default;
Body::Body(Body&&) noexcept = default;
Body& Body::operator=(const Body&) = default;
Body& Body::operator=(Body&&) noexcept = default;

Action::Action() = default;
Action::~Action() = default;
Action::Action(const Action&) = default;
Action::Action(Action&&) noexcept = default;
Action& Action::operator=(const Action&) = default;
Action& Action::operator=(Action&&) noexcept = default;

Result::Result() = default;
Result::~Result() = default;
Result::Result(const Result&) = default;
Result::Result(Result&&) noexcept = default;
Result& Result::operator=(const Result&) = default;
Result& Result::operator=(Result&&) noexcept = default;

FetchAction::FetchAction() = default;
FetchAction::~FetchAction() = default;
FetchAction::FetchAction(const FetchAction&) = default;
FetchAction::FetchAction(FetchAction&&) noexcept = default;
FetchAction& FetchAction::operator=(const FetchAction&) = default;
FetchAction& FetchAction::operator=(FetchAction&&) noexcept = default;

FetchResult::FetchResult() = default;
FetchResult::~FetchResult() = default;
FetchResult::FetchResult(const FetchResult&) = default;
FetchResult::FetchResult(FetchResult&&) noexcept = default;
FetchResult& FetchResult::operator=(const FetchResult&) = default;
FetchResult& FetchResult::operator=(FetchResult&&) noexcept = default;

}  // namespace s3p
