/* The serving path's inner loops in C, each the twin of a Python reference that a test compares
 * it with:
 * - tokens():    MeCab's printed fields -> Token tuples with offsets (tokenize.py's node reader);
 * - word_rows(): a draft's lemma unigrams and bigrams -> vocabulary rows, without building their
 *                strings (features.word_features + a dictionary lookup);
 * - score():     character n-gram keys, vocabulary lookup, TF-IDF weighing and the linear scores
 *                of one draft, in one call (model.py's NumPy implementation);
 * - index(), word_index(): the lookups score() and word_rows() use, built once at model load.
 *
 * Why C: in Python and NumPy the same work is some eighty small operations per draft, and their
 * per-call overhead (and cache-cold dictionary lookups), not arithmetic, was most of the cost of
 * a report. Another test proves the served probabilities equal scikit-learn's.
 *
 * index(keys) -> bytes: a hash index of the sorted int64 keys of the character vocabulary (see
 *   features.gram_keys), built once when the model loads.
 *
 * score(text, ngrams, index, table, width, char_offset, word_rows, word_starts, word_ends,
 *       sublinear_tf, detail)
 *   text         the folded draft (str); ASCII digits count as '0', as in the vocabulary
 *   ngrams       the character n-gram lengths (tuple of ints, each 1..3)
 *   index        the character vocabulary's hash index (from index())
 *   table        C-contiguous float64 rows of `width` values: [idf, coef per label]
 *   char_offset  the table row of keys[0] (word rows come first)
 *   word_rows    int64 table rows of the draft's in-vocabulary word terms, in occurrence order
 *   word_starts, word_ends   int64 regions of those occurrences in the folded text
 *   sublinear_tf whether term counts are log-scaled
 *   detail       whether to return per-occurrence regions and contributions
 * returns (logits, starts, ends, contributions) as bytes: logits float64[labels] without the
 * intercept; starts/ends int64[occurrences]; contributions float64[labels][occurrences]
 * (the last three empty unless `detail`). Occurrences: the word terms, then the character
 * n-grams found in the vocabulary, n by n and position by position.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY_BITS 21
#define MAX_NGRAM 3
#define MAX_LENGTHS 8

typedef struct {
    int64_t *rows, *starts, *ends, *slot_rows;
    double *values;
    int32_t *slot_counts, *slot_of;
} Scratch;

static void scratch_free(Scratch *s) {
    free(s->rows);
    free(s->starts);
    free(s->ends);
    free(s->slot_rows);
    free(s->values);
    free(s->slot_counts);
    free(s->slot_of);
}

/* The character vocabulary's hash index: `capacity` (a power of two) slots of two int64 each,
 * [key, position in the sorted keys], key 0 marking an empty slot (no gram key is 0: every code
 * point is stored + 1). Linear probing from a multiplicative hash; one slot is one half cache
 * line, so a lookup usually costs one memory access where a binary search over tens of thousands
 * of keys costs a dozen or more. */
static size_t slot_of_key(int64_t key, size_t capacity) {
    return (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 32) & (capacity - 1);
}

/* Position of `key` in the sorted keys, or -1. */
static Py_ssize_t find_key(const int64_t *index, size_t capacity, int64_t key) {
    size_t slot = slot_of_key(key, capacity);
    while (index[2 * slot] != 0) {
        if (index[2 * slot] == key) return (Py_ssize_t)index[2 * slot + 1];
        slot = (slot + 1) & (capacity - 1);
    }
    return -1;
}

/* index(keys) -> bytes: the hash index of sorted, distinct, non-zero int64 keys (see find_key).
 * At most a third of the slots are used, so probes stay short. */
static PyObject *build_index(PyObject *self, PyObject *args) {
    Py_buffer keys_b;
    if (!PyArg_ParseTuple(args, "y*", &keys_b)) return NULL;
    Py_ssize_t n = keys_b.len / 8;
    const int64_t *keys = keys_b.buf;
    size_t capacity = 16;
    while (capacity < (size_t)n * 3) capacity <<= 1;
    PyObject *result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(capacity * 2 * sizeof(int64_t)));
    if (result) {
        int64_t *index = (int64_t *)PyBytes_AS_STRING(result);
        memset(index, 0, capacity * 2 * sizeof(int64_t));
        for (Py_ssize_t k = 0; k < n; k++) {
            if (keys[k] == 0 || (k > 0 && keys[k] <= keys[k - 1])) {
                Py_DECREF(result);
                result = NULL;
                PyErr_SetString(PyExc_ValueError, "keys must be sorted, distinct and non-zero");
                break;
            }
            size_t slot = slot_of_key(keys[k], capacity);
            while (index[2 * slot] != 0) slot = (slot + 1) & (capacity - 1);
            index[2 * slot] = keys[k];
            index[2 * slot + 1] = k;
        }
    }
    PyBuffer_Release(&keys_b);
    return result;
}

/* Code point + 1 of character i, with ASCII digits folded to '0'. */
static int64_t point(int kind, const void *data, Py_ssize_t i) {
    Py_UCS4 c = PyUnicode_READ(kind, data, i);
    if (c >= '1' && c <= '9') c = '0';
    return (int64_t)c + 1;
}

/* Count the occurrences of each row with an open-addressing table; slot_of[k] is occurrence k's
 * slot. Capacity: a power of two at least twice the occurrences, so probes stay short. */
static int count_rows(Scratch *s, Py_ssize_t m) {
    size_t capacity = 16;
    while (capacity < (size_t)m * 2) capacity <<= 1;
    s->slot_rows = malloc(capacity * sizeof(int64_t));
    s->slot_counts = calloc(capacity, sizeof(int32_t));
    s->slot_of = malloc((m ? m : 1) * sizeof(int32_t));
    if (!s->slot_rows || !s->slot_counts || !s->slot_of) return -1;
    for (size_t i = 0; i < capacity; i++) s->slot_rows[i] = -1;
    for (Py_ssize_t k = 0; k < m; k++) {
        uint64_t h = (uint64_t)s->rows[k] * 0x9E3779B97F4A7C15ull;
        size_t slot = (size_t)(h >> 32) & (capacity - 1);
        while (s->slot_rows[slot] != -1 && s->slot_rows[slot] != s->rows[k]) slot = (slot + 1) & (capacity - 1);
        s->slot_rows[slot] = s->rows[k];
        s->slot_counts[slot]++;
        s->slot_of[k] = (int32_t)slot;
    }
    return 0;
}

static int same_length(Py_buffer *b, Py_ssize_t n, const char *name) {
    if (b->len != n * 8) {
        PyErr_Format(PyExc_ValueError, "%s has %zd bytes, expected %zd", name, b->len, n * 8);
        return -1;
    }
    return 0;
}

static PyObject *score(PyObject *self, PyObject *args) {
    PyObject *text, *ngrams;
    Py_buffer index_b, table_b, rows_b, starts_b, ends_b;
    Py_ssize_t width, char_offset;
    int sublinear, detail;
    if (!PyArg_ParseTuple(args, "UO!y*y*nny*y*y*pp", &text, &PyTuple_Type, &ngrams, &index_b, &table_b, &width,
                          &char_offset, &rows_b, &starts_b, &ends_b, &sublinear, &detail))
        return NULL;
    PyObject *result = NULL;
    Scratch s = {0};
    double *logits = NULL, *contributions = NULL;

    /* the index holds capacity slots of [key, position] (see build_index) */
    size_t index_capacity = (size_t)index_b.len / 16;
    Py_ssize_t n_words = rows_b.len / 8;
    const int64_t *index = index_b.buf;
    Py_ssize_t labels = width - 1;
    Py_ssize_t n_table_rows = width > 0 ? table_b.len / 8 / width : 0;
    if (labels < 1 || table_b.len != n_table_rows * width * 8 || char_offset < 0 || char_offset > n_table_rows) {
        PyErr_SetString(PyExc_ValueError, "the table does not match its width");
        goto done;
    }
    if (index_b.len % 16 || index_capacity == 0 || (index_capacity & (index_capacity - 1))) {
        PyErr_SetString(PyExc_ValueError, "the key index is not a power-of-two table of slots");
        goto done;
    }
    if (same_length(&starts_b, n_words, "word_starts") ||
        same_length(&ends_b, n_words, "word_ends"))
        goto done;
    const int64_t *word_rows = rows_b.buf;
    const int64_t *word_starts = starts_b.buf, *word_ends = ends_b.buf;
    const double *table = table_b.buf;

    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n_lengths = PyTuple_GET_SIZE(ngrams);
    int sizes[MAX_LENGTHS];
    Py_ssize_t capacity = n_words;
    if (n_lengths > MAX_LENGTHS) {
        PyErr_SetString(PyExc_ValueError, "too many n-gram lengths");
        goto done;
    }
    for (Py_ssize_t g = 0; g < n_lengths; g++) {
        long n = PyLong_AsLong(PyTuple_GET_ITEM(ngrams, g));
        if (n == -1 && PyErr_Occurred()) goto done;
        if (n < 1 || n > MAX_NGRAM) {
            PyErr_Format(PyExc_ValueError, "character n-grams of length %ld have no keys", n);
            goto done;
        }
        sizes[g] = (int)n;
        if (length >= n) capacity += length - n + 1;
    }
    size_t slots = capacity ? (size_t)capacity : 1;
    s.rows = malloc(slots * sizeof(int64_t));
    s.starts = malloc(slots * sizeof(int64_t));
    s.ends = malloc(slots * sizeof(int64_t));
    s.values = malloc(slots * sizeof(double));
    logits = calloc((size_t)labels, sizeof(double));
    if (!s.rows || !s.starts || !s.ends || !s.values || !logits) {
        PyErr_NoMemory();
        goto done;
    }

    /* occurrences: the word terms as given, then every in-vocabulary character n-gram */
    Py_ssize_t m = 0;
    for (Py_ssize_t k = 0; k < n_words; k++) {
        if (word_rows[k] < 0 || word_rows[k] >= n_table_rows) {
            PyErr_SetString(PyExc_ValueError, "a word row is outside the table");
            goto done;
        }
        s.rows[m] = word_rows[k];
        s.starts[m] = word_starts[k];
        s.ends[m] = word_ends[k];
        m++;
    }
    for (Py_ssize_t g = 0; g < n_lengths; g++) {
        int n = sizes[g];
        for (Py_ssize_t i = 0; i + n <= length; i++) {
            int64_t key = 0;
            for (int j = 0; j < n; j++) key = (key << KEY_BITS) | point(kind, data, i + j);
            Py_ssize_t found = find_key(index, index_capacity, key);
            if (found < 0) continue;
            if (char_offset + found >= n_table_rows) {
                PyErr_SetString(PyExc_ValueError, "a key's row is outside the table");
                goto done;
            }
            s.rows[m] = char_offset + found;
            s.starts[m] = i;
            s.ends[m] = i + n;
            m++;
        }
    }

    /* TF-IDF per block (words, characters), L2-normalised, split evenly among a term's repeats */
    if (count_rows(&s, m) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    double squares[2] = {0.0, 0.0};
    for (Py_ssize_t k = 0; k < m; k++) {
        double count = (double)s.slot_counts[s.slot_of[k]];
        double tf = sublinear ? 1.0 + log(count) : count;
        double value = tf * table[s.rows[k] * width];
        s.values[k] = value;
        squares[k >= n_words] += value * value / count;
    }
    double norms[2] = {sqrt(squares[0]), sqrt(squares[1])};
    for (int b = 0; b < 2; b++)
        if (norms[b] == 0.0) norms[b] = 1.0;
    if (detail) {
        contributions = malloc((size_t)(labels * (m ? m : 1)) * sizeof(double));
        if (!contributions) {
            PyErr_NoMemory();
            goto done;
        }
    }
    for (Py_ssize_t k = 0; k < m; k++) {
        double count = (double)s.slot_counts[s.slot_of[k]];
        double value = s.values[k] / norms[k >= n_words] / count;
        const double *coef = table + s.rows[k] * width + 1;
        for (Py_ssize_t l = 0; l < labels; l++) {
            double part = value * coef[l];
            logits[l] += part;
            if (detail) contributions[l * m + k] = part;
        }
    }

    result = Py_BuildValue("(y#y#y#y#)", (const char *)logits, (Py_ssize_t)(labels * sizeof(double)),
                           (const char *)s.starts, (Py_ssize_t)(detail ? m * sizeof(int64_t) : 0),
                           (const char *)s.ends, (Py_ssize_t)(detail ? m * sizeof(int64_t) : 0),
                           (const char *)(contributions ? contributions : logits),
                           (Py_ssize_t)(detail ? labels * m * sizeof(double) : 0));

done:
    scratch_free(&s);
    free(logits);
    free(contributions);
    PyBuffer_Release(&index_b);
    PyBuffer_Release(&table_b);
    PyBuffer_Release(&rows_b);
    PyBuffer_Release(&starts_b);
    PyBuffer_Release(&ends_b);
    return result;
}

/* Whether text[at:] starts with printed[a:b]. */
static int starts_with_run(PyObject *text, Py_ssize_t at, PyObject *printed, Py_ssize_t a, Py_ssize_t b) {
    if (at < 0 || at + (b - a) > PyUnicode_GET_LENGTH(text)) return 0;
    int tk = PyUnicode_KIND(text), pk = PyUnicode_KIND(printed);
    const void *td = PyUnicode_DATA(text), *pd = PyUnicode_DATA(printed);
    for (Py_ssize_t i = 0; i < b - a; i++)
        if (PyUnicode_READ(tk, td, at + i) != PyUnicode_READ(pk, pd, a + i)) return 0;
    return 1;
}

/* Next index of `c` in printed[from:end], or end. */
static Py_ssize_t next_char(int kind, const void *data, Py_ssize_t from, Py_ssize_t end, Py_UCS4 c) {
    while (from < end && PyUnicode_READ(kind, data, from) != c) from++;
    return from;
}

/* tokens(printed, text, token_type) -> list | None: MeCab's "surface\tlemma\tpos\n" lines ending
 * in "EOS" as token_type(surface, lemma, pos, start, end) tuples, each surface found in `text` at
 * or after the previous token's end; None when the output does not read that way (the caller then
 * falls back to the node-by-node reader). tokenize.py's `read_printed` is the same in Python, and
 * the reference a test compares this with. */
static PyObject *read_tokens(PyObject *self, PyObject *args) {
    PyObject *printed, *text;
    PyTypeObject *token_type;
    if (!PyArg_ParseTuple(args, "UUO!", &printed, &text, &PyType_Type, &token_type)) return NULL;
    if (!PyType_IsSubtype(token_type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "token_type must be a tuple type");
        return NULL;
    }
    Py_ssize_t length = PyUnicode_GET_LENGTH(printed);
    int kind = PyUnicode_KIND(printed);
    const void *data = PyUnicode_DATA(printed);
    /* fugashi strips the newline after the final EOS */
    if (length < 3 || PyUnicode_READ(kind, data, length - 3) != 'E' || PyUnicode_READ(kind, data, length - 2) != 'O' ||
        PyUnicode_READ(kind, data, length - 1) != 'S' || (length > 3 && PyUnicode_READ(kind, data, length - 4) != '\n'))
        Py_RETURN_NONE;
    Py_ssize_t body = length > 3 ? length - 4 : 0; /* the lines before "\nEOS", without that newline */
    PyObject *tokens = PyList_New(0);
    if (!tokens) return NULL;
    Py_ssize_t line = 0, position = 0;
    while (line < body) {
        Py_ssize_t eol = next_char(kind, data, line, body, '\n');
        Py_ssize_t tab1 = next_char(kind, data, line, eol, '\t');
        Py_ssize_t tab2 = tab1 < eol ? next_char(kind, data, tab1 + 1, eol, '\t') : eol;
        if (tab1 == line || tab2 >= eol || next_char(kind, data, tab2 + 1, eol, '\t') < eol) goto unreadable;
        if (!starts_with_run(text, position, printed, line, tab1)) {
            PyObject *surface = PyUnicode_Substring(printed, line, tab1);
            if (!surface) goto error;
            Py_ssize_t found = PyUnicode_Find(text, surface, position, PyUnicode_GET_LENGTH(text), 1);
            Py_DECREF(surface);
            if (found == -2) goto error;
            if (found < 0) goto unreadable;
            position = found;
        }
        Py_ssize_t end = position + (tab1 - line);
        PyObject *token = token_type->tp_alloc(token_type, 5);
        if (!token) goto error;
        PyObject *items[5] = {PyUnicode_Substring(printed, line, tab1), PyUnicode_Substring(printed, tab1 + 1, tab2),
                              PyUnicode_Substring(printed, tab2 + 1, eol), PyLong_FromSsize_t(position),
                              PyLong_FromSsize_t(end)};
        for (int i = 0; i < 5; i++) PyTuple_SET_ITEM(token, i, items[i]);
        for (int i = 0; i < 5; i++)
            if (!items[i]) {
                Py_DECREF(token);
                goto error;
            }
        int appended = PyList_Append(tokens, token);
        Py_DECREF(token);
        if (appended < 0) goto error;
        position = end;
        line = eol + 1;
    }
    return tokens;
unreadable:
    Py_DECREF(tokens);
    Py_RETURN_NONE;
error:
    Py_DECREF(tokens);
    return NULL;
}

/* ---- word terms: the lemma unigrams and bigrams of features.word_features, looked up without
 * building their strings. A term is hashed from its code points (FNV-1a), found in an index built
 * from the vocabulary at load, and confirmed against the vocabulary's own code points, so a lookup
 * is exact. */

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static int64_t term_hash(const Py_UCS4 *points, Py_ssize_t n) {
    uint64_t h = FNV_OFFSET;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= points[i];
        h *= FNV_PRIME;
    }
    h ^= h >> 31;
    return h ? (int64_t)(h & 0x7fffffffffffffffull) | 1 : 1; /* never 0: 0 marks an empty slot */
}

/* word_index(terms) -> (index, points, offsets): slots of [hash, row] (capacity a power of two, a
 * third used at most), every term's code points as uint32 one after the other, and int64 offsets
 * (terms + 1) into them. */
static PyObject *word_index(PyObject *self, PyObject *args) {
    PyObject *terms;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &terms)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(terms), total = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *term = PyList_GET_ITEM(terms, k);
        if (!PyUnicode_Check(term)) {
            PyErr_SetString(PyExc_TypeError, "terms must be strings");
            return NULL;
        }
        total += PyUnicode_GET_LENGTH(term);
    }
    size_t capacity = 16;
    while (capacity < (size_t)n * 3) capacity <<= 1;
    PyObject *index_b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(capacity * 2 * sizeof(int64_t)));
    PyObject *points_b = PyBytes_FromStringAndSize(NULL, (total ? total : 1) * (Py_ssize_t)sizeof(Py_UCS4));
    PyObject *offsets_b = PyBytes_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int64_t));
    if (!index_b || !points_b || !offsets_b) goto fail;
    int64_t *index = (int64_t *)PyBytes_AS_STRING(index_b), *offsets = (int64_t *)PyBytes_AS_STRING(offsets_b);
    Py_UCS4 *points = (Py_UCS4 *)PyBytes_AS_STRING(points_b);
    memset(index, 0, capacity * 2 * sizeof(int64_t));
    Py_ssize_t at = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *term = PyList_GET_ITEM(terms, k);
        Py_ssize_t length = PyUnicode_GET_LENGTH(term);
        offsets[k] = at;
        if (!PyUnicode_AsUCS4(term, points + at, length, 0)) goto fail;
        int64_t hash = term_hash(points + at, length);
        size_t slot = slot_of_key(hash, capacity);
        while (index[2 * slot] != 0) slot = (slot + 1) & (capacity - 1);
        index[2 * slot] = hash;
        index[2 * slot + 1] = k;
        at += length;
    }
    offsets[n] = at;
    return Py_BuildValue("(NNN)", index_b, points_b, offsets_b);
fail:
    Py_XDECREF(index_b);
    Py_XDECREF(points_b);
    Py_XDECREF(offsets_b);
    return NULL;
}

typedef struct {
    const int64_t *index, *offsets;
    const Py_UCS4 *points;
    size_t capacity;
    Py_ssize_t n_terms;
} WordIndex;

/* Row of the term held in points[0:n], or -1. */
static Py_ssize_t find_term(const WordIndex *w, const Py_UCS4 *points, Py_ssize_t n) {
    int64_t hash = term_hash(points, n);
    size_t slot = slot_of_key(hash, w->capacity);
    while (w->index[2 * slot] != 0) {
        if (w->index[2 * slot] == hash) {
            int64_t row = w->index[2 * slot + 1];
            if (row >= 0 && row < w->n_terms) {
                const Py_UCS4 *stored = w->points + w->offsets[row];
                if (w->offsets[row + 1] - w->offsets[row] == n && memcmp(stored, points, (size_t)n * sizeof(Py_UCS4)) == 0)
                    return (Py_ssize_t)row;
            }
        }
        slot = (slot + 1) & (w->capacity - 1);
    }
    return -1;
}

static void append_hit(Scratch *s, Py_ssize_t *m, Py_ssize_t row, int64_t start, int64_t end) {
    s->rows[*m] = row;
    s->starts[*m] = start;
    s->ends[*m] = end;
    (*m)++;
}

/* The word key of a token (see features.word_features): <num> for a noun that starts with a
 * digit, else its lemma with ASCII digits folded to '0'. Written to out; returns its length. */
static Py_ssize_t token_key(PyObject *surface, PyObject *lemma, int noun, Py_UCS4 *out) {
    if (noun && PyUnicode_GET_LENGTH(surface) > 0 && Py_UNICODE_ISDIGIT(PyUnicode_READ_CHAR(surface, 0))) {
        static const char num[] = "<num>";
        for (int i = 0; i < 5; i++) out[i] = (Py_UCS4)num[i];
        return 5;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(lemma);
    int kind = PyUnicode_KIND(lemma);
    const void *data = PyUnicode_DATA(lemma);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        out[i] = (c >= '1' && c <= '9') ? '0' : c;
    }
    return n;
}

/* word_rows(tokens, skip_pos, noun_pos, index, points, offsets, max_length)
 *   -> (rows, starts, ends) as int64 bytes: the in-vocabulary lemma unigrams ("w:" + key) of the
 * tokens that are not white space, then their bigrams ("b:" + key + " " + next key), each with the
 * region it covers; the same terms, in the same order, as features.word_features. */
static PyObject *word_rows(PyObject *self, PyObject *args) {
    PyObject *tokens, *skip_pos, *noun_pos;
    Py_buffer index_b, points_b, offsets_b;
    Py_ssize_t max_length;
    if (!PyArg_ParseTuple(args, "OUUy*y*y*n", &tokens, &skip_pos, &noun_pos, &index_b, &points_b, &offsets_b,
                          &max_length))
        return NULL;
    PyObject *result = NULL;
    PyObject *seq = PySequence_Fast(tokens, "tokens must be a sequence");
    Scratch s = {0};
    Py_UCS4 *keys = NULL, *term = NULL;
    Py_ssize_t *key_at = NULL, *key_len = NULL;
    int64_t *token_starts = NULL, *token_ends = NULL;
    WordIndex w = {index_b.buf, offsets_b.buf, points_b.buf, (size_t)index_b.len / 16, offsets_b.len / 8 - 1};
    if (!seq) goto done;
    if (index_b.len % 16 || w.capacity == 0 || (w.capacity & (w.capacity - 1)) || w.n_terms < 0 || max_length < 0 ||
        points_b.len < (w.n_terms >= 0 ? ((const int64_t *)offsets_b.buf)[w.n_terms] : 0) * (Py_ssize_t)sizeof(Py_UCS4)) {
        PyErr_SetString(PyExc_ValueError, "the word index is malformed");
        goto done;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq), total = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *token = PySequence_Fast_GET_ITEM(seq, k);
        if (!PyTuple_Check(token) || PyTuple_GET_SIZE(token) != 5 || !PyUnicode_Check(PyTuple_GET_ITEM(token, 1))) {
            PyErr_SetString(PyExc_TypeError, "tokens must be (surface, lemma, pos, start, end) tuples");
            goto done;
        }
        total += PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(token, 1)) + 5;
    }
    size_t slots = (size_t)(2 * n + 1);
    s.rows = malloc(slots * sizeof(int64_t));
    s.starts = malloc(slots * sizeof(int64_t));
    s.ends = malloc(slots * sizeof(int64_t));
    keys = malloc((size_t)(total + 1) * sizeof(Py_UCS4));
    term = malloc((size_t)(max_length + 3) * sizeof(Py_UCS4));
    key_at = malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    key_len = malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    token_starts = malloc((size_t)(n + 1) * sizeof(int64_t));
    token_ends = malloc((size_t)(n + 1) * sizeof(int64_t));
    if (!s.rows || !s.starts || !s.ends || !keys || !term || !key_at || !key_len || !token_starts || !token_ends) {
        PyErr_NoMemory();
        goto done;
    }
    /* the kept tokens' keys and regions */
    Py_ssize_t kept = 0, at = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *token = PySequence_Fast_GET_ITEM(seq, k);
        PyObject *surface = PyTuple_GET_ITEM(token, 0), *lemma = PyTuple_GET_ITEM(token, 1), *pos = PyTuple_GET_ITEM(token, 2);
        if (!PyUnicode_Check(surface) || !PyUnicode_Check(pos)) {
            PyErr_SetString(PyExc_TypeError, "a token's surface and part of speech must be strings");
            goto done;
        }
        int skip = PyUnicode_Compare(pos, skip_pos);
        if (skip == -1 && PyErr_Occurred()) goto done;
        if (skip == 0) continue;
        int blank = 1;
        for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(surface) && blank; i++)
            blank = Py_UNICODE_ISSPACE(PyUnicode_READ_CHAR(surface, i));
        if (blank) continue;
        int noun = PyUnicode_Compare(pos, noun_pos);
        if (noun == -1 && PyErr_Occurred()) goto done;
        key_at[kept] = at;
        key_len[kept] = token_key(surface, lemma, noun == 0, keys + at);
        at += key_len[kept];
        token_starts[kept] = PyLong_AsLongLong(PyTuple_GET_ITEM(token, 3));
        token_ends[kept] = PyLong_AsLongLong(PyTuple_GET_ITEM(token, 4));
        if (PyErr_Occurred()) goto done;
        kept++;
    }
    Py_ssize_t m = 0;
    for (Py_ssize_t k = 0; k < kept; k++) { /* unigrams */
        Py_ssize_t length = 2 + key_len[k];
        if (length > max_length) continue;
        term[0] = 'w';
        term[1] = ':';
        memcpy(term + 2, keys + key_at[k], (size_t)key_len[k] * sizeof(Py_UCS4));
        Py_ssize_t row = find_term(&w, term, length);
        if (row >= 0) append_hit(&s, &m, row, token_starts[k], token_ends[k]);
    }
    for (Py_ssize_t k = 0; k + 1 < kept; k++) { /* bigrams */
        Py_ssize_t length = 3 + key_len[k] + key_len[k + 1];
        if (length > max_length) continue;
        term[0] = 'b';
        term[1] = ':';
        memcpy(term + 2, keys + key_at[k], (size_t)key_len[k] * sizeof(Py_UCS4));
        term[2 + key_len[k]] = ' ';
        memcpy(term + 3 + key_len[k], keys + key_at[k + 1], (size_t)key_len[k + 1] * sizeof(Py_UCS4));
        Py_ssize_t row = find_term(&w, term, length);
        if (row >= 0) append_hit(&s, &m, row, token_starts[k], token_ends[k + 1]);
    }
    result = Py_BuildValue("(y#y#y#)", (const char *)s.rows, (Py_ssize_t)(m * sizeof(int64_t)), (const char *)s.starts,
                           (Py_ssize_t)(m * sizeof(int64_t)), (const char *)s.ends, (Py_ssize_t)(m * sizeof(int64_t)));
done:
    scratch_free(&s);
    free(keys);
    free(term);
    free(key_at);
    free(key_len);
    free(token_starts);
    free(token_ends);
    Py_XDECREF(seq);
    PyBuffer_Release(&index_b);
    PyBuffer_Release(&points_b);
    PyBuffer_Release(&offsets_b);
    return result;
}

static PyMethodDef methods[] = {
    {"score", score, METH_VARARGS, "Logits (and per-occurrence detail) of one folded draft; see the module source."},
    {"tokens", read_tokens, METH_VARARGS, "Tokens from MeCab's three-field lines; see the module source."},
    {"word_index", word_index, METH_VARARGS, "The lookup of a word vocabulary; see the module source."},
    {"word_rows", word_rows, METH_VARARGS, "Rows and regions of a draft's in-vocabulary word terms; see the module source."},
    {"index", build_index, METH_VARARGS, "The hash index of sorted character n-gram keys; see the module source."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernel", "The serving model's inner loop.", -1, methods};

PyMODINIT_FUNC PyInit__kernel(void) { return PyModule_Create(&module); }
