// Uploads files to Darkroom with tus-js-client (the tus client browser upload
// widgets use), under Node.
//
// usage: node tus_js.mjs ENDPOINT TOKEN GALLERY CHUNK FILE...
//
// The first file is aborted once half of it is through and resumed by a new
// Upload on the same URL. Prints one line per file: `<name> <upload url>`.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(process.env.TUS_JS_MODULES + "/");
const tus = require("tus-js-client");

const [endpoint, token, gallery, chunk, ...files] = process.argv.slice(2);

function send(buf, name, extra) {
  return new Promise((resolve, reject) => {
    const up = new tus.Upload(buf, {
      endpoint,
      headers: { Authorization: "Bearer " + token },
      chunkSize: Number(chunk),
      metadata: { filename: name, gallery },
      retryDelays: null,
      onError: reject,
      onSuccess: () => resolve(up),
      ...extra,
    });
    up.start();
  });
}

for (const [i, path] of files.entries()) {
  const buf = readFileSync(path);
  const name = basename(path);
  let url;
  if (i === 0) {
    // Abort halfway, then resume with a new Upload on the same URL.
    url = await new Promise((resolve, reject) => {
      const up = new tus.Upload(buf, {
        endpoint,
        headers: { Authorization: "Bearer " + token },
        chunkSize: Number(chunk),
        metadata: { filename: name, gallery },
        retryDelays: null,
        onError: reject,
        onSuccess: () => reject(new Error("finished before the abort")),
        onChunkComplete: (_size, sent, total) => {
          if (sent * 2 >= total) up.abort().then(() => resolve(up.url));
        },
      });
      up.start();
    });
    const again = await send(buf, name, { uploadUrl: url });
    if (again.url !== url) throw new Error("resumed on a new URL: " + again.url);
  } else {
    url = (await send(buf, name, {})).url;
  }
  console.log(name, url);
}
