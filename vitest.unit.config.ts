import { defineConfig } from 'vitest/config';

/** `npm run test:unit`: the in-process tests (no Chroma server, no doubles over HTTP), for a seconds-long edit–test loop. */
export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/citations.test.ts',
      'test/reasoning.test.ts',
      'test/real-model-answers.test.ts',
      'test/sanitize.test.ts',
      'test/text.test.ts',
      'test/store-contract.test.ts',
    ],
  },
});
