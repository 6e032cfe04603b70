
// A selection of docker's namesgenerator lists (moby/pkg/namesgenerator).
const LEFT = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful', 'blissful', 'bold',
  'boring', 'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent', 'condescending', 'confident', 'cool',
  'cranky', 'crazy', 'dazzling', 'determined', 'distracted', 'dreamy', 'eager', 'ecstatic', 'elastic', 'elated',
  'elegant', 'eloquent', 'epic', 'exciting', 'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty',
  'funny', 'gallant', 'gifted', 'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful', 'hungry',
  'infallible', 'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial', 'keen', 'kind', 'laughing', 'loving',
  'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty', 'nervous', 'nice', 'nifty', 'nostalgic',
  'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive', 'practical', 'priceless', 'quirky', 'quizzical',
  'recursing', 'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp', 'silly', 'sleepy', 'stoic', 'strange',
  'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty', 'trusting', 'unruffled', 'upbeat', 'vibrant', 'vigilant',
  'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful', 'zealous', 'zen',
];
const RIGHT = [
  'agnesi', 'albattani', 'allen', 'archimedes', 'ardinghelli', 'babbage', 'banach', 'bardeen', 'bartik', 'bassi',
  'bell', 'benz', 'bhabha', 'bohr', 'booth', 'borg', 'bose', 'brahmagupta', 'brattain', 'brown', 'burnell', 'cannon',
  'carson', 'cerf', 'chandrasekhar', 'chaplygin', 'chatelet', 'clarke', 'cohen', 'colden', 'cori', 'curie', 'darwin',
  'davinci', 'dijkstra', 'dirac', 'driscoll', 'dubinsky', 'easley', 'einstein', 'elbakyan', 'elgamal', 'elion',
  'engelbart', 'euclid', 'euler', 'faraday', 'fermat', 'fermi', 'feynman', 'franklin', 'galileo', 'gates', 'goldberg',
  'goodall', 'gould', 'greider', 'hamilton', 'hawking', 'heisenberg', 'hertz', 'hodgkin', 'hofstadter', 'hopper',
  'hypatia', 'jackson', 'jang', 'jemison', 'jennings', 'johnson', 'joliot', 'kalam', 'keldysh', 'kepler', 'khorana',
  'kilby', 'knuth', 'kowalevski', 'lalande', 'lamarr', 'lamport', 'leakey', 'leavitt', 'lewin', 'liskov', 'lovelace',
  'lumiere', 'mahavira', 'margulis', 'matsumoto', 'maxwell', 'mayer', 'mccarthy', 'mcclintock', 'meitner', 'mendel',
  'merkle', 'mirzakhani', 'montalcini', 'moore', 'morse', 'napier', 'nash', 'newton', 'nightingale', 'nobel', 'noether',
  'noyce', 'pascal', 'pasteur', 'payne', 'perlman', 'pike', 'poincare', 'ptolemy', 'raman', 'ramanujan', 'ride',
  'ritchie', 'rosalind', 'saha', 'sammet', 'shamir', 'shannon', 'shaw', 'shockley', 'sinoussi', 'snyder', 'spence',
  'stonebraker', 'swanson', 'swartz', 'tesla', 'thompson', 'torvalds', 'turing', 'varahamihira', 'vaughan',
  'villani', 'visvesvaraya', 'volhard', 'wescoff', 'wiles', 'williams', 'wilson', 'wing', 'wozniak', 'wright', 'wu',
  'yalow', 'yonath', 'zhukovsky',
];

/** docker's random container names: `adjective_surname` (a digit appended after a clash). */
export function randomName(retry = 0): string {
  // Taken on use: the engine opens (and loads this module) for every command, crypto is ≈ 10 ms to load.
  const { randomInt } = process.getBuiltinModule('node:crypto');
  const name = `${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}`;
  // "boring_wozniak" is not a valid name (docker's own rule).
  if (name === 'boring_wozniak') return randomName(retry);
  return retry > 0 ? `${name}${randomInt(10)}` : name;
}
