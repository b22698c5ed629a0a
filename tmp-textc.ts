import { o200kCounter } from 'tokenfold';
for (const s of ['[[fold 482913075561: 412 chars]]', '[[fold 482913075561: 3 lines]]', ' [[fold 482913075561: 1 item]]', '[[fold 482913075561: 1,412 chars; 12 sentences: normandy, rollo, viking]]','[[fold 482913075561: 3 sentences]]'])
  console.log(o200kCounter.count(s), s);
