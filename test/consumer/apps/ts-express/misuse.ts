// Each line marked `expect-error TSnnnn` must fail with that code; nothing else may fail.
import express from 'express';

const app = express();
app.get('/', async (req, res) => {
  const session = await req.session.get();
  session.set('views', 'many'); // expect-error TS2345
  session.set('nosuch', 1); // expect-error TS2345
  const locale: number = session.get('locale'); // expect-error TS2322
  req.session.views = 1; // expect-error TS2339
  res.json({ locale });
});
