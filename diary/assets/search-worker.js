/*
 * The diary's search worker (diary/search.py writes the index it reads).
 *
 * Material for MkDocs runs its search in a web worker and talks to it in four
 * messages: SETUP (the search index), READY, QUERY (what the reader typed)
 * and RESULT (pages, each with its matching sections). This worker speaks the
 * same protocol, so Material's dialog, result list, keyboard use, suggestions
 * and highlighting work unchanged. But the index is prebuilt, in pieces: the
 * worker fetches its small table (search/manifest.json) as soon as it starts
 * and says READY then, rather than waiting for SETUP, which the page sends
 * only once its main thread is free after start-up; a query fetches the
 * pieces its words fall in, then the entries of the pages it shows with their
 * text.
 *
 * A query whose first pages' entries the worker does not hold yet is answered
 * twice: as soon as the pages are ranked, with every result by its title
 * (`partial: true` in the answer), then again once the entries are in. The
 * list a reader sees first is the final one's order and count; the second
 * answer adds the matching sections and their text.
 *
 * Scoring is Material's lunr set-up, reproduced: Material's query syntax and
 * its rewriting (every word a prefix, quotes, +required, -excluded, field:),
 * BM25 with b = 0 and the configured field boosts, the same separator and stop
 * words, Material's boost for pages and for matching every word, results
 * grouped by page, matches marked in titles, text and tags.
 *
 * Left out: edit distances (word~1 matches the word itself), a query of only
 * excluded words (lists nothing), and single letters as prefixes (a lone "a"
 * matches the word "a", not every word that starts with it). Results after the
 * first SHOWN pages (what the dialog shows before the reader scrolls) show the
 * page title only, so a query costs a bounded number of fetches however many
 * pages match.
 */
"use strict"

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3
const OPTIONAL = 1, REQUIRED = 2, PROHIBITED = 3
const FIELDS = ["title", "text", "tags"]
const SHOWN = 6   /* pages shown with their text: the first screen of results, and one more */
const TERM_SEPARATOR = /[\s-]/
const STOP_WORDS = new Set((
  "a able about across after all almost also am among an and any are as at be because been but by can " +
  "cannot could dear did do does either else ever every for from get got had has have he her hers him his " +
  "how however i if in into is it its just least let like likely may me might most must my neither no nor " +
  "not of off often on only or other our own rather said say says she should since so some than that the " +
  "their them then there these they this tis to too twas us wants was we were what when where which while " +
  "who whom why will with would yet you your").split(" "))

const ROOT = new URL("../../../search/", self.location.href)
let site = null
let options = null   /* SETUP's, when it has come */
let starting = null
let ready = false
let latest = 0
const SUPERSEDED = new Error("a newer query came")   /* typing on: nothing more is fetched for this one */

/* The index's table, fetched once (again only after a failure); READY goes out once it is in. */
function begin() {
  if (!starting) {
    starting = fetch(new URL("manifest.json", ROOT)).then(response => {
      if (!response.ok)
        throw new Error(`${response.url}: ${response.status}`)
      return response.json()
    }).then(data => {
      site = start(data)
      if (!ready) {
        ready = true
        postMessage({ type: READY })
      }
    }, error => {
      starting = null
      throw error
    })
  }
  return starting
}

begin().catch(() => {})   /* tried again on SETUP */

addEventListener("message", async ({ data: message }) => {
  if (message.type === SETUP) {
    options = message.data.options || {}
    begin().catch(error => console.warn("The search index could not be loaded", error))
  } else if (message.type === QUERY) {
    const id = ++latest
    const answer = data => {
      if (id === latest)
        postMessage({ type: RESULT, data })
    }
    try {
      await begin()
      await search(message.data, () => id !== latest, answer)
    } catch (error) {
      if (error === SUPERSEDED)
        return
      console.warn(`No answer to the query ${JSON.stringify(message.data)}`, error)
      answer({ items: [] })
    }
  }
})

/* The index --------------------------------------------------------------------------------- */

function start({ config }) {
  const manifest = config.diary
  const starts = [0]
  for (const size of manifest.pages)
    starts.push(starts[starts.length - 1] + size)
  return {
    starts,
    config,
    manifest,
    separator: new RegExp(config.separator, "g"),   /* global, for split(): one object for every call */
    trim: (config.pipeline || []).includes("trimmer"),
    stop: (config.pipeline || []).includes("stopWordFilter"),
    fields: Object.keys(config.fields),
    root: ROOT,
    loaded: new Map(),
    held: new Map()   /* page -> its entries, once they are in */
  }
}

function load(path) {
  const url = new URL(`${path}?v=${site.manifest.version}`, site.root).href
  let promise = site.loaded.get(url)
  if (!promise) {
    promise = fetch(url).then(response => {
      if (!response.ok)
        throw new Error(`${url}: ${response.status}`)
      return response.json()
    })
    promise.catch(() => site.loaded.delete(url))
    site.loaded.set(url, promise)
  }
  return promise
}


/* The piece of the term list that `term` would be in. */
function pieceOf(term) {
  return lastAtOrBelow(site.manifest.terms, term, site.manifest.terms.length - 1)
}

/* The position of the last of the sorted `starts[0..last]` that is at or below `value`. */
function lastAtOrBelow(starts, value, last) {
  let low = 0, high = last
  while (low < high) {
    const middle = (low + high + 1) >> 1
    if (starts[middle] <= value)
      low = middle
    else
      high = middle - 1
  }
  return low
}

function entriesOf(page) {
  return load(`pages/${String(page).padStart(4, "0")}.json`).then(entries => {
    site.held.set(page, entries)
    return entries
  })
}

function piece(number) {
  return load(`terms/${String(number).padStart(3, "0")}.json`).then(rows => {
    if (!rows.byTerm)
      rows.byTerm = new Map(rows.map(row => [row[0], row]))
    return rows
  })
}

/* The index terms a clause's term stands for, with their rows. */
async function expand(clause) {
  const pattern = clause.term
  const star = pattern.indexOf("*")
  if (star === -1 || (star === 1 && pattern.length === 2)) {
    const term = pattern.replace("*", "")
    const row = (await piece(pieceOf(term))).byTerm.get(term)
    return row ? [row] : []
  }
  const prefix = pattern.slice(0, star)
  const first = prefix ? pieceOf(prefix) : 0
  const last = prefix ? pieceOf(prefix + "\uffff") : site.manifest.terms.length - 1
  const wanted = []
  for (let number = first; number <= last; number++)
    wanted.push(piece(number))
  const matches = new RegExp(`^${pattern.split("*").map(escape).join(".*")}$`)
  const rows = []
  for (const loaded of await Promise.all(wanted))
    for (const row of loaded)
      if (row[0].startsWith(prefix) && matches.test(row[0]))
        rows.push(row)
  return rows
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
}

/* Query syntax: lunr's lexer and parser, as Material uses them ------------------------------ */

function lex(text) {
  const lexemes = [], escapes = []
  let position = 0, start = 0
  const slice = () => {
    const parts = []
    let from = start
    for (const at of escapes) {
      parts.push(text.slice(from, at))
      from = at + 1
    }
    parts.push(text.slice(from, position))
    escapes.length = 0
    return parts.join("")
  }
  const emit = type => {
    lexemes.push({ type, str: slice(), start, end: position })
    start = position
  }
  const ignore = () => {
    if (start === position)
      position += 1
    start = position
  }
  while (position < text.length) {
    const char = text.charAt(position++)
    if (char === "\\") {
      escapes.push(position - 1)
      position += 1
    } else if (char === ":") {
      position -= 1
      emit("FIELD")
      ignore()
    } else if (char === "~" || char === "^") {
      position -= 1
      if (position > start)
        emit("TERM")
      ignore()
      while (position < text.length && /[0-9]/.test(text.charAt(position)))
        position += 1
      emit(char === "~" ? "EDIT_DISTANCE" : "BOOST")
    } else if ((char === "+" || char === "-") && position - start === 1) {
      emit("PRESENCE")
    } else if (TERM_SEPARATOR.test(char)) {
      if (position - start > 1) {
        position -= 1
        emit("TERM")
      }
      ignore()
    }
  }
  if (position > start)
    emit("TERM")
  return lexemes
}

function parse(text, fields) {
  const lexemes = lex(text), clauses = []
  let clause = {}, at = 0
  const finish = () => {
    clauses.push({ fields, boost: 1, usePipeline: true, presence: OPTIONAL, ...clause })
    clause = {}
  }
  const fail = lexeme => {
    throw new Error(`unexpected ${lexeme ? lexeme.type : "end"} in query`)
  }
  const following = next => {
    if (!next) {
      finish()
      return null
    }
    if (["TERM", "FIELD", "PRESENCE"].includes(next.type)) {
      finish()
      return next.type
    }
    return next.type   /* an edit distance or a boost belongs to this clause */
  }
  let state = "CLAUSE"
  while (state) {
    const lexeme = lexemes[at]
    if (state !== "CLAUSE")
      at += 1
    const next = lexemes[at]
    switch (state) {
      case "CLAUSE":
        if (!lexeme)
          return clauses
        if (!["PRESENCE", "FIELD", "TERM"].includes(lexeme.type))
          fail(lexeme)
        state = lexeme.type
        break
      case "PRESENCE":
        if (lexeme.str === "-")
          clause.presence = PROHIBITED
        else if (lexeme.str === "+")
          clause.presence = REQUIRED
        else
          fail(lexeme)
        if (!next || !["FIELD", "TERM"].includes(next.type))
          fail(next)
        state = next.type
        break
      case "FIELD":
        if (!fields.includes(lexeme.str))
          throw new Error(`unknown field ${lexeme.str}`)
        clause.fields = [lexeme.str]
        if (!next || next.type !== "TERM")
          fail(next)
        state = "TERM"
        break
      case "TERM":
        clause.term = lexeme.str.toLowerCase()
        if (lexeme.str.includes("*"))
          clause.usePipeline = false
        state = following(next)
        break
      case "EDIT_DISTANCE":
      case "BOOST": {
        const value = parseInt(lexeme.str, 10)
        if (isNaN(value))
          throw new Error(`not a number: ${lexeme.str}`)
        clause[state === "BOOST" ? "boost" : "editDistance"] = value
        state = following(next)
        break
      }
    }
  }
  return clauses
}

/* Splits `input` on the global expression `separator`, calling fn(start, end) for each non-empty part. */
function split(input, separator, fn) {
  separator.lastIndex = 0
  let index = 0, match
  do {
    match = separator.exec(input)
    const until = match ? match.index : input.length
    if (index < until)
      fn(index, until)
    if (match) {
      index = match.index + match[0].length
      if (match[0].length === 0)
        separator.lastIndex = match.index + 1
    }
  } while (match)
}

/* Material's rewriting of what the reader typed into a lunr query. */
function transform(query) {
  return query.trim()
    .split(/"([^"]+)"/g)
    .map((part, index) => index & 1 ? part.replace(/^\b|^(?![^\x00-\x7F]|$)|\s+/g, " +") : part)
    .join("")
    .replace(/"|(?:^|\s+)[*+\-:^~]+(?=\s+|$)/g, "")
    .split(/\s+/g)
    .flatMap(part => {
      const terms = []
      for (const { type, str: term, start, end } of lex(part)) {
        if (type === "FIELD" && !FIELDS.includes(term))
          part = `${part.slice(0, end)} ${part.slice(end + 1)}`
        else if (type === "TERM")
          split(term, site.separator, (from, to) => {
            terms.push(part.slice(0, start) + term.slice(from, to) + part.slice(end))
          })
      }
      return terms
    })
    .map(term => /([~^]$)/.test(term) ? `${term}1` : term)
    .map(term => /(^[+-]|[~^]\d+$)/.test(term) ? term : `${term}*`)
    .join(" ")
}

/* Scoring: lunr's, over the pieces of the index -------------------------------------------- */

function lunrRound(score) {
  return Math.round(score * 1000) / 1000
}

async function query(clauses) {
  const vectors = Object.fromEntries(site.fields.map(field => [field, new Map()]))
  /* document * 3 + field's place in a row -> {document, field, terms: Map(term -> [count, idf])}:
     a number key, as a query on a common word scores thousands of these */
  const scored = new Map()
  const required = [], prohibited = new Set()
  const expansions = await Promise.all(clauses.map(expand))
  clauses.forEach((clause, c) => {
    const excluded = clause.presence === PROHIBITED
    const matching = clause.presence === OPTIONAL ? null : new Set()
    for (const row of expansions[c]) {
      const idf = inverse(row)
      for (const field of clause.fields) {
        const place = FIELDS.indexOf(field)
        const flat = row[1 + place] || []   /* document gaps, each followed by its count */
        for (let i = 0, document = 0; i < flat.length; i += 2) {
          document += flat[i]
          if (matching)
            matching.add(document)
          if (excluded)
            continue
          const key = document * 3 + place
          let match = scored.get(key)
          if (!match)
            scored.set(key, match = { document, field, terms: new Map() })
          match.terms.set(row[0], [flat[i + 1], idf])
        }
        if (!excluded)
          vectors[field].set(row[0], (vectors[field].get(row[0]) || 0) + clause.boost)
      }
    }
    if (clause.presence === REQUIRED)
      required.push(matching)
    else if (clause.presence === PROHIBITED)
      for (const document of matching)
        prohibited.add(document)
  })
  const magnitudes = {}
  for (const field of site.fields) {
    let sum = 0
    for (const weight of vectors[field].values())
      sum += weight * weight
    magnitudes[field] = Math.sqrt(sum)
  }
  const results = new Map()
  for (const { document, field, terms } of scored.values()) {
    if (prohibited.has(document) || !required.every(set => set.has(document)))
      continue
    const boost = (site.config.fields[field].boost || 1) * (+site.manifest.boosts[document] || 1)
    let dot = 0
    for (const [term, [count, idf]] of terms)
      dot += vectors[field].get(term) * lunrRound(idf * 2.2 * count / (1.2 + count) * boost)
    let result = results.get(document)
    if (!result)
      results.set(document, result = { document, score: 0, terms: [] })
    result.score += magnitudes[field] ? dot / magnitudes[field] : 0
    for (const term of terms.keys())
      if (!result.terms.includes(term))
        result.terms.push(term)
  }
  return [...results.values()].sort((a, b) => b.score - a.score || a.document - b.document)
}

/* lunr's inverse document frequency, counting a document once for each field that holds the term. */
function inverse(row) {
  let holding = 0
  for (let f = 1; f < row.length; f++)
    holding += row[f].length / 2
  const x = (site.manifest.documents - holding + 0.5) / (holding + 0.5)
  return Math.log(1 + Math.abs(x))
}

/* Results as Material shows them ------------------------------------------------------------ */

/* Answers the query `value` with answer(data): once, or first by titles and then in full. */
async function search(value, superseded, answer) {
  if (!site || !site.manifest)
    return answer({ items: [] })
  const rewritten = transform(value)
  if (!rewritten)
    return answer({ items: [] })
  const clauses = parse(rewritten, site.fields)
  const words = parse(rewritten, FIELDS)
    .filter(clause => clause.presence !== PROHIBITED)
    .map(clause => ({ ...clause, term: clause.term.replace(/^\*|\*$/g, "") }))
  const titles = load("pages.json")   /* for results by title alone; fetched alongside the pieces */
  titles.catch(() => {})
  await Promise.all(clauses.map(expand))
  if (superseded())
    throw SUPERSEDED
  const negated = clauses.every(clause => clause.presence === PROHIBITED)
  const results = negated ? [] : await query(clauses)
  const marked = new Set(results.flatMap(result => result.terms))

  /* Material's order: its boost for pages and for matching every word, then grouped by page. */
  const groups = new Map()
  /* Results matching the same index terms share their reading: a common word matches thousands. */
  const readings = new Map()
  for (const result of results) {
    const matched = result.terms.join("\0")
    let reading = readings.get(matched)
    if (!reading) {
      const terms = queryTerms(words, result.terms)
      const found = Object.values(terms)
      readings.set(matched, reading = { terms, share: found.length ? found.filter(Boolean).length / found.length : 0 })
    }
    result.page = pageOf(result.document)
    result.terms = reading.terms
    result.score *= 1 + (+(site.starts[result.page] === result.document) + reading.share) ** 2
  }
  const ranked = results.sort((a, b) => b.score - a.score)
  for (const result of ranked) {
    if (!groups.has(result.page))
      groups.set(result.page, [])
    groups.get(result.page).push(result)
  }
  const order = [...groups.keys()]
  if (superseded())
    throw SUPERSEDED
  const titled = new Map()   /* page -> its result by title: both answers list thousands for a common word */
  const byTitle = (table, page) => {
    if (!titled.has(page)) {
      const [location, title] = table[page]
      const best = groups.get(page)[0]
      titled.set(page, [{ location, title: highlight(title, marked, true), text: "", score: best.score, terms: best.terms }])
    }
    return titled.get(page)
  }
  const withEntries = (page, entries) => withText(groups.get(page), entries, site.starts[page], marked)
  const shown = order.slice(0, SHOWN)
  /* Each shown page is marked up as soon as its entries arrive, while the others are on their way;
     a page whose entries cannot be had stays a result by its title. */
  const texts = shown.map(page => entriesOf(page).then(entries => withEntries(page, entries), error => {
    console.warn(`Search shows page ${page} by its title: its entries could not be loaded`, error)
    return titles.then(table => byTitle(table, page))
  }))
  const extra = {}
  /* Material's set-up message says whether to suggest; a query may come before it, and the table says too. */
  if (options ? options.suggest : site.config.suggest)
    extra.suggest = await suggestions(words)
  const table = await titles
  if (superseded())
    throw SUPERSEDED
  if (!shown.every(page => site.held.has(page))) {
    const now = page => site.held.has(page) && shown.includes(page) ? withEntries(page, site.held.get(page)) : byTitle(table, page)
    answer({ items: order.map(now), ...extra, partial: true })
  }
  const first = await Promise.all(texts)
  if (superseded())
    throw SUPERSEDED
  answer({ items: order.map((page, rank) => rank < SHOWN ? first[rank] : byTitle(table, page)), ...extra })
}

/* A page's result as Material shows it: its matching entries marked, then the page itself if it
   did not match. */
function withText(group, entries, first, marked) {
  const item = group.map(result => {
    const entry = { ...entries[result.document - first] }
    for (const field of FIELDS)
      if (entry[field] !== undefined)
        entry[field] = Array.isArray(entry[field])
          ? entry[field].map(tag => highlight(tag, marked, true))
          : highlight(entry[field], marked, field !== "text")
    return { ...entry, score: result.score, terms: result.terms }
  })
  if (!group.some(result => result.document === first))
    item.push({ ...entries[0], score: 0, terms: {} })
  return item
}

/* The page an entry belongs to: `site.starts` holds each page's first entry, then one past the last. */
function pageOf(document) {
  return lastAtOrBelow(site.starts, document, site.starts.length - 2)
}

/* Which of the reader's words a result holds: {word: true or false}; stop words never count as missing. */
function queryTerms(words, matched) {
  const left = new Set(words), terms = {}
  for (const term of matched)
    for (const word of left)
      if (term.startsWith(word.term)) {
        terms[word.term] = true
        left.delete(word)
      }
  for (const word of left)
    if (!STOP_WORDS.has(word.term))
      terms[word.term] = false
  return terms
}

/* Material's suggestion: the words of the best title holding every word typed, as prefixes. */
async function suggestions(words) {
  if (!words.length)
    return []
  const clauses = words.map(word => ({
    term: `${word.term}*`, fields: ["title"], presence: REQUIRED, boost: 1, usePipeline: true
  }))
  const [best] = await query(clauses)
  return best ? best.terms : []
}

/* Highlighting: Material's marks for the words found, in titles and tags throughout, in text the
   first two blocks that hold one. */
function highlight(input, marked, full) {
  const blocks = tokenize(input)
  const found = []
  blocks.forEach((entries, block) => {
    const hits = entries.filter(entry => entry.term !== undefined && marked.has(entry.term))
    if (hits.length)
      found.push([block, hits])
  })
  if (!found.length)
    return input
  const slices = []
  let cursor = 0
  for (const [block, hits] of found) {
    const entries = blocks[block]
    const start = entries[0].start
    const last = entries[entries.length - 1]
    if (full && start > cursor)
      slices.push(input.slice(cursor, start))
    let slice = input.slice(start, last.start + last.length)
    for (const hit of [...hits].reverse()) {
      const p = hit.start - start, q = p + hit.length
      slice = `${slice.slice(0, p)}<mark>${slice.slice(p, q)}</mark>${slice.slice(q)}`
    }
    cursor = last.start + last.length
    if (slices.push(slice) === 2)
      break
  }
  if (full && cursor < input.length)
    slices.push(input.slice(cursor))
  return slices.join("")
}

/* Material's tokenizer: top-level blocks of HTML, each with its tags and its words. */
function tokenize(input) {
  const blocks = []
  const add = (block, entry) => (blocks[block] ||= []).push(entry)
  const text = (block, from, to) => {
    blocks[block] ||= []
    const section = input.slice(from, to)
    split(section, site.separator, (index, until) => {
      let term = section.slice(index, until).toLowerCase()
      if (site.trim)
        term = term.replace(/^\W+/, "").replace(/\W+$/, "")
      const stop = !term || (site.stop && STOP_WORDS.has(term))
      add(block, { start: from + index, length: until - index, term: stop ? undefined : term })
    })
  }
  let block = 0, start = 0, end = 0, depth = 0
  const delimiter = /[<>]/g
  for (let match; (match = delimiter.exec(input)) !== null;) {
    end = match.index
    const char = match[0]
    if (char === "<" && end > start) {
      text(block, start, end)
      start = end
    } else if (char === ">") {
      if (input.charAt(start + 1) === "/") {
        if (--depth === 0)
          add(block++, { start, length: end + 1 - start })
      } else if (input.charAt(end - 1) !== "/") {
        if (depth++ === 0)
          add(block, { start, length: end + 1 - start })
      }
      start = end + 1
    }
  }
  end = input.length
  if (end > start)
    text(block, start, end)
  return blocks.map(entries => entries || [])
}
