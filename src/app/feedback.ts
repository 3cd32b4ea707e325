import type { CitebotCore } from '../core.js';
import type { Rating } from '../store/ports.js';

/** A 👍/👎 on a posted answer: one per person, a second click changes it. False if the answer is unknown. */
export function rateAnswer(core: CitebotCore, answerId: string, userId: string, rating: Rating): Promise<boolean> {
  return core.state.answers.rate(answerId, userId, rating);
}
