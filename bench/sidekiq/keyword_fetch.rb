# frozen_string_literal: true

require "sidekiq/fetch"

# Sidekiq 6.4.1's BasicFetch, with one difference: BRPOP's timeout goes as the keyword
# argument redis-rb 4.8 asks for instead of the trailing positional one that redis-rb 4.8
# deprecates. With the positional form, redis-rb builds a deprecation message on every fetch
# (inspecting the arguments and calling Kernel#caller) before it even looks at
# Redis.silence_deprecations: ~1.7 us of CPU per job here, a couple of percent of what a no-op
# job costs Sidekiq. Later Sidekiq releases pass the keyword themselves. Plugged in through Sidekiq's own
# options[:fetch] hook (the one Sidekiq Pro's fetchers use); nothing else changes.
class KeywordTimeoutFetch < Sidekiq::BasicFetch
  def retrieve_work
    qs = queues_cmd
    # Same guard as BasicFetch: nothing but the trailing timeout means no queue to watch.
    if qs.size <= 1
      sleep(TIMEOUT)
      return nil
    end

    *queues, timeout = qs
    work = Sidekiq.redis { |conn| conn.brpop(*queues, timeout: timeout) }
    UnitOfWork.new(*work) if work
  end
end
