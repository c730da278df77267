/* fuzz_text.c: the small parsers of values people type, chosen by the first byte: search
 * queries (enterprises and appeals), registered capital, employees, mobile numbers, yes/no,
 * tag lists, attachment names and content sniffing, pinyin initials, search folding. Checked:
 * outputs stay within their buffers and are NUL-terminated; what is accepted is in range. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib/pinyin.h"
#include "lib/str.h"
#include "modules/appeals/appeals.h"
#include "modules/enterprises/enterprises.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int which = data[0] % 10;
	data++;
	size--;
	char *z = fuzz_strndup(data, size);
	switch (which) {
	case 0: {
		struct ent_query q;
		if (ent_query_parse(z, &q) == ST_OK) {
			FUZZ_CHECK(q.nterms >= 0 && q.nterms <= ENT_QUERY_TERMS, "%d terms",
				   q.nterms);
			for (int i = 0; i < q.nterms; i++) {
				FUZZ_CHECK(strlen(q.term[i]) < ENT_TERM_BYTES, "term too long");
				char fts[1024];
				(void)ent_fts_query(q.term[i], fts, sizeof(fts));
			}
		}
		break;
	}
	case 1: {
		struct appeal_query q;
		if (appeal_query_parse(z, &q) == ST_OK)
			FUZZ_CHECK(q.nterms >= 0 && q.nterms <= APPEAL_QUERY_TERMS, "%d terms",
				   q.nterms);
		if (utf8_valid(z, strlen(z))) {
			struct str g;
			str_init(&g, 1 << 20);
			appeal_grams(z, &g);
			str_release(&g);
			(void)appeal_similarity(z, "设备采购资金周转困难");
		}
		break;
	}
	case 2: {
		int64_t yuan, n;
		if (ent_parse_capital(z, &yuan)) {
			FUZZ_CHECK(yuan >= 0, "negative capital");
			char back[32];
			ent_format_capital(yuan, back, sizeof(back));
		}
		if (ent_parse_employees(z, &n))
			FUZZ_CHECK(n >= 0 && n <= 10000000, "employees %lld", (long long)n);
		bool b;
		(void)ent_parse_bool(z, &b);
		break;
	}
	case 3: {
		char m[12];
		if (ent_mobile_normalize(z, m))
			FUZZ_CHECK(strlen(m) == 11 && m[0] == '1', "mobile %s", m);
		(void)ent_region_code_valid(z);
		(void)ent_industry_code_valid(z);
		(void)ent_tag_name_valid(z);
		break;
	}
	case 4: {
		char *names[20];
		int n = ent_split_tags(z, names, 20);
		FUZZ_CHECK(n >= 0 && n <= 20, "%d tags", n);
		break;
	}
	case 5: {
		char name[400];
		appeal_file_name_clean(z, name, sizeof(name));
		FUZZ_CHECK(strlen(name) < sizeof(name), "name overflow");
		FUZZ_CHECK(!strchr(name, '/') && !strchr(name, '\\'), "a path survived: %s", name);
		(void)appeal_file_claimed(z);
		break;
	}
	case 6: {
		enum appeal_file_kind k = appeal_file_sniff(data, size);
		FUZZ_CHECK(k >= AF_UNKNOWN && k < AF__COUNT, "kind %d", (int)k);
		(void)appeal_file_mime(k);
		break;
	}
	case 7: {
		char out[256];
		size_t n = pinyin_initials(z, strlen(z), 0, out, sizeof(out));
		(void)n;
		FUZZ_CHECK(strlen(out) < sizeof(out), "initials overflow");
		(void)pinyin_has_variants(z, strlen(z));
		char init[300];
		ent_name_initials(z, init, sizeof(init));
		break;
	}
	case 8: {
		char out[128];
		size_t n = ent_fold(z, out, sizeof(out));
		FUZZ_CHECK(strlen(out) < sizeof(out) && strlen(out) <= n, "fold overflow");
		(void)ent_formula_like(z);
		(void)ent_column_by_header(z);
		break;
	}
	default: {
		int64_t id = appeal_number_id(z);
		FUZZ_CHECK(id >= 0, "negative id");
		break;
	}
	}
	free(z);
	return 0;
}
