/**
 * The workspace both chat-adapter benchmarks set up: three channels, each sharing two of the test
 * documents, with 50 different questions about them between them, and five users asking.
 */
import { join } from 'node:path';
import { ROOT } from './support.js';

export const DOCS = join(ROOT, 'test', 'fixtures', 'docs');

export interface BenchChannel {
  name: string;
  /** Files under DOCS, shared in the channel before the burst. */
  files: string[];
  questions: string[];
}

export const CHANNELS: readonly BenchChannel[] = [
  {
    name: 'alpha',
    files: ['Normans.md', 'guide.md'],
    questions: [
      'Who were the Normans?',
      'Where is Normandy?',
      'Who was Rollo?',
      'What language did the Normans speak?',
      'When did the Normans conquer England?',
      'What did the Normans do in Sicily?',
      'Who was William the Conqueror?',
      'What was Norman architecture like?',
      'How did the Normans change England?',
      'What happened at the Battle of Hastings?',
      'Which Normans went on crusade?',
      'Who were the Norman mercenaries in Italy?',
      'How do I install citebot?',
      'What is the default MAX_FILE_MB?',
      'What happens to files larger than the limit?',
      'Where does the bot token go?',
      'When should I raise the file size limit?',
    ],
  },
  {
    name: 'beta',
    files: ['Warsaw.html', '成公英.txt'],
    questions: [
      'What is the population of Warsaw?',
      'Which river flows through Warsaw?',
      'When did Warsaw become the capital of Poland?',
      'What happened to Warsaw in the Second World War?',
      'Which universities are in Warsaw?',
      'What is the Old Town of Warsaw?',
      'Which parks are in Warsaw?',
      'How is Warsaw governed?',
      'What is the economy of Warsaw like?',
      'Where is the Palace of Culture and Science?',
      'What was the Warsaw Uprising?',
      'What is the climate of Warsaw?',
      'Which museums are in Warsaw?',
      '成公英是谁？',
      '成公英是哪里人？',
      '成公英为谁效力？',
      '成公英后来做了什么官？',
    ],
  },
  {
    name: 'gamma',
    files: ['Huguenot.docx', '1973-oil-crisis.pptx'],
    questions: [
      'Who were the Huguenots?',
      'Why did the Huguenots leave France?',
      'What was the Edict of Nantes?',
      'Where did the Huguenots settle?',
      'What was the massacre of Saint Bartholomew?',
      'How many Huguenots emigrated?',
      'What did the Huguenots do in South Africa?',
      'What was the Edict of Fontainebleau?',
      'What caused the 1973 oil crisis?',
      'Which countries joined the oil embargo?',
      'How high did oil prices rise in 1973?',
      'How did the oil crisis affect the United States?',
      'What was the role of OPEC in the oil crisis?',
      'When did the oil embargo end?',
      'How did Japan respond to the oil crisis?',
      'What did the oil crisis do to car design?',
    ],
  },
];

export const USER_NAMES = ['ana', 'ben', 'chen', 'dora', 'emil'];

/**
 * `count` questions for one burst: every channel's in turn, numbered from the second round on so
 * that no two are the same (answers are told apart by their question), asked by the users in turn.
 */
export function burstQuestions<C extends BenchChannel, U>(
  channels: readonly C[],
  users: readonly U[],
  count: number,
): { question: string; channel: C; user: U }[] {
  const pool = channels.flatMap((channel) => channel.questions.map((question) => ({ question, channel })));
  return Array.from({ length: count }, (_, i) => {
    const { question, channel } = pool[i % pool.length]!;
    return {
      question: i < pool.length ? question : `${question} (${Math.floor(i / pool.length) + 1})`,
      channel,
      user: users[i % users.length]!,
    };
  });
}
