"""Messages the templates translate by value (navigation, facet and role names, error titles and
the errors people meet most often), marked here so that ``pybabel extract`` puts them in the catalogs."""

from __future__ import annotations

from api.i18n import N_, NP_

NAVIGATION = [N_("Search"), N_("Collections"), N_("Reports"), N_("Copyright"), N_("Community"),
              N_("Service hall"), N_("Admin")]
SECTIONS = [
    N_("Topic collections (专题库) that refresh themselves when new documents are loaded, with tags, notes, "
       "statistics and export."),
    N_("Industry indicators, early-warning alerts and landscape reports."),
    N_("Register works, license and transfer rights, verify certificates."),
    N_("Forums and the directory of IP agencies with ratings and tiers."),
    N_("Apply for public IP services and follow their handling."),
    N_("Users and roles, organisations, loads and the audit trail."),
]
ROLES = [N_("applicant"), N_("assignee"), N_("inventor"), N_("agent"), N_("admin"), N_("moderator"), N_("member"),
         N_("org_admin"), N_("sme"), N_("association"), N_("agency"), N_("government")]
DOCUMENT_KINDS = [N_("grant"), N_("application"), N_("design"), N_("plant"), N_("reissue"), N_("utility_model"),
                  N_("other")]
# the languages of a document's texts, by code (a code not listed is shown as it is)
LANGUAGES = [N_("language.zh"), N_("language.en"), N_("language.ja"), N_("language.de"), N_("language.fr"),
             N_("language.ko"), N_("language.es"), N_("language.ru")]
CITATIONS = [N_("cited by examiner"), N_("cited by applicant")]
NOTIFICATIONS = [N_("account.password_changed"), N_("collection"), N_("collection.new_matches"), N_("alert"),
                 N_("report"),
                 N_("copyright.licence_offer"), N_("copyright.licence_accepted"), N_("copyright.licence_declined"),
                 N_("copyright.licence_withdrawn"), N_("copyright.duplicate_held"), N_("copyright.transfer_received"),
                 N_("copyright.licence_granted"), N_("copyright.disputed"), N_("agency.claim_approved"),
                 N_("agency.claim_rejected"),
                 N_("forum.reply"), N_("forum.quote"), N_("forum.mention"), N_("forum.post_hidden"),
                 N_("forum.post_restored"), N_("forum.post_deleted"), N_("forum.topic_hidden"),
                 N_("forum.topic_restored"), N_("forum.topic_deleted"), N_("account.role_changed"),
                 N_("account.password_help")]
# the copyright registry: statuses, offers, log entry types, and its refusals
COPYRIGHT = [N_("registered"), N_("under_review"), N_("disputed"), N_("revoked"), N_("offered"), N_("accepted"),
             N_("declined"), N_("withdrawn"), N_("open"), N_("upheld"), N_("rejected"), N_("registration"),
             N_("licence"), N_("transfer"), N_("dispute_outcome"), N_("revocation"),
             N_("no account uses the e-mail %(email)s: ask them to sign up first"), N_("user %(id)s does not exist"),
             N_("choose at least one right to transfer"), N_("you cannot transfer rights to yourself"),
             N_("a transfer takes effect on or after the registration date, %(date)s"),
             N_("only the holder of these rights on %(date)s may transfer them"),
             N_("tick the box to confirm: a transfer is written to the public log and cannot be undone"),
             N_("this offer was accepted already"), N_("this offer was declined already"),
             N_("this offer was withdrawn already"), N_("licence offer %(id)s not found"),
             N_("offer %(id)s is %(status)s: there is no licence document"),
             N_("choose the file to register, or switch to hash-only"),
             N_("the completion date is in the future"), N_("the first publication date is in the future"),
             N_("the completion date is before 1900: check the year"),
             N_("the first publication date is before 1900: check the year"),
             N_("the work is first published before it was completed"),
             N_("a first publication date or place is for a published work: tick 'published'"),
             N_("a published work gives the date it was first published"),
             N_("the SHA-256 is 64 hexadecimal characters (0-9, a-f)"), N_("the file size is a whole number of bytes"),
             N_("%(field)s is not a date (YYYY-MM-DD)"),
             N_("choose the type of work"), N_("give the title of the work"),
             N_("choose at least one right to license"),
             N_("only the licensee may accept a licence offer"), N_("only the licensee may decline a licence offer"),
             N_("only the licensor may withdraw a licence offer"),
             N_("a licence needs another person as licensee"),
             N_("a licence starts on or after the registration date, %(date)s"),
             N_("only the rights holder, or a licensee allowed to sublicense, may license these rights")]
# What a person's page says for the router's own refusals (api.problems), whose detail only repeats
# the title in English ("Not Found" under "未找到")
PAGE_DETAILS = {404: N_("there is no page at this address: check it, or start again from the search page"),
                405: N_("this page cannot be used this way: go back and try again"),
                500: N_("something went wrong on our side and it has been logged: try again in a moment, or go back")}
ERROR_TITLES = [N_("Invalid input"), N_("Verification failed"), N_("Not authenticated"), N_("Permission denied"),
                N_("Not found"), N_("Conflict"), N_("Too many requests"), N_("Service unavailable"),
                N_("Bad request"), N_("Method not allowed"), N_("HTTP error"), N_("Payload too large"),
                N_("Invalid request"), N_("Internal error"),
                N_("a value in the address or the form does not fit (%(fields)s): go back and try again"),
                N_("a value in the address or the form does not fit: go back and try again")]
ERRORS = [N_("wrong e-mail or password"), N_("enter your e-mail address and password"),
          N_("type an e-mail address"), N_("too many failed logins from this address; wait a minute and retry"),
          N_("an account with this e-mail already exists"), N_("the current password is wrong"),
          N_("a deactivated account cannot set a password: reactivate it first"),
          N_("an administrator's password is not set by a link from the console: they change it on their account "
             "page, or the operator sets it from the command line"),
          N_("too many requests for a new password; wait an hour and retry"),
          N_("no account uses the e-mail %(email)s"), N_("a password has at most %(n)s characters"),
          N_("this link to set a new password has expired or was used already; ask for a new one"),
          N_("sign in to continue"),
          N_("the form has expired or did not come from this site: reload the page and retry"),
          N_("log in to combine the sets of your search history"),
          # topic collections (ipsearch.collections.service, core.accounts.permissions)
          N_("type at least one publication number"), N_("a tag needs at least one character besides spaces"),
          N_("a note needs at least one character besides spaces"),
          N_("an organisation collection needs an organisation you belong to"),
          N_("only the collection's owners and members may change it"),
          N_("only the owner may change who sees the collection")]
LEGAL_STATUS = [N_("pending"), N_("in_force"), N_("lapsed"), N_("expired"), N_("unknown")]
# What a legal event did (ipsearch.model.LegalCategory), beside the office's own wording (INPADOC's is
# English whatever the office): a Chinese reader reads 视为撤回 where the office wrote DEEMED WITHDRAWAL.
LEGAL_EVENT_KINDS = {"filed": N_("Application filed"), "published": N_("Application published"),
                     "granted": N_("Patent granted"), "lapsed": N_("Right lapsed"), "revoked": N_("Patent revoked"),
                     "expired": N_("Term expired"),
                     "withdrawn": N_("Application withdrawn, deemed withdrawn or refused"),  # CN C02, C12, RJ01
                     "reinstated": N_("Right reinstated"), "transferred": N_("Right transferred"),
                     "licensed": N_("Licence recorded")}
# What events mean by "office:code" ("*" any office), before what their category says: those that
# change no status (LegalCategory.other), whose own wording is the office's, in English, and left a
# Chinese reader a blank "meaning"; and a few whose category says less than the code (AK)
LEGAL_EVENT_CODES = {
    "CN:C10": N_("Request for substantive examination in force"),
    "CN:SE01": N_("Request for substantive examination in force"),
    "HK:DE": N_("Request to record the designated patent application in Hong Kong"),
    "US:FPAY": N_("Maintenance fee paid"),
    "*:17P": N_("Request for examination filed"), "*:17Q": N_("First examination report despatched"),
    "*:GRAG": N_("Intention to grant announced"), "*:GRAH": N_("Intention to grant announced"),
    "*:26N": N_("No opposition filed"), "*:PLBE": N_("No opposition filed"),
    "*:PGFP": N_("Annual fee paid to a national office"), "*:AKX": N_("Designation fees paid"),
    "*:AK": N_("Designated contracting states (with the publication)"),
    "*:AX": N_("Extension of the European patent requested"), "*:REF": N_("Corresponding document"),
    "*:BECN": N_("Holder's name changed"), "*:TPAC": N_("Third-party observations filed"),
    "*:TPAB": N_("Third-party observations withdrawn from the file"),
    "*:STAA": N_("Status of the application or patent"),
    "*:SPCF": N_("Supplementary protection certificate applied for"),
}
# A status's evidence said in words where its code says nothing to a reader: an EP patent lapses when
# its last designated state lapses (ipsearch.legal), and the code of that lapse is PG25
LEGAL_EVIDENCE = {"PG25": N_("in the last of its designated states")}
SORTS = [N_("Relevance"), N_("Newest first"), N_("Oldest first")]
BUILDER_FIELDS = [N_("Title"), N_("Abstract"), N_("Claims"), N_("All text"), N_("Applicant"), N_("Inventor"),
                  N_("IPC class"), N_("Publication date"), N_("Filing date"), N_("Country")]
# what a search can refuse (ipsearch: the query parser, planner and compilers, cursors, facets,
# documents); tests/api/pages/test_catalogs.py checks that every such message is listed here
QUERY_DATE_ERRORS = [N_("no date comes after %(value)s"), N_("no date comes before %(value)s"),
                     N_("the range ends before it starts: %(end)s is before %(start)s")]
QUERY_ERRORS = [N_("a '(' is never closed"), N_("a '\"' is never closed"),
                N_("the query ends where a word or phrase is expected"), N_("this ')' has no matching '('"),
                N_("the query is empty"), N_("the query contains a control character"), N_("empty phrase"),
                N_("both sides of NEAR/ADJ/SAME must search the same text field: write the field once, before a "
                   "group, as in DESC=(first NEAR2 grommet)"), N_("the query could not be read"),
                # with values (QuerySyntaxError templates, history)
                N_("not a date: %(value)s (use 2010, 2010-03 or 2010-03-15)"), N_("not a valid date: %(value)s"),
                N_("%(field)s takes '=', not '%(cmp)s'"), N_("not a publication number: %(value)s"),
                N_("RUN takes a load run number, not %(value)s"), N_("'%(token)s' needs a word or group on both sides"),
                N_("'%(token)s' must follow a field code such as TI, AB, PA, PD"), N_("unexpected '%(token)s'"),
                N_("unexpected character %(value)s"), N_("no search set %(sets)s in your history"),
                N_("the combined query is longer than %(limit)s characters"),
                N_("proximity must be between 1 and %(limit)s"),
                N_("a wildcard needs at least %(limit)s letters, or two Chinese characters, before it: %(value)s"),
                N_("the query has nothing to search: only stop words, punctuation or words over 60 characters"),
                N_("a word or group is expected before this ')'"), N_("the query is longer than %(limit)s characters"),
                N_("at most %(limit)s words and phrases are allowed in a query"),
                N_("a NEAR/ADJ/SAME chain joins more than %(limit)s words or groups"),
                N_("operators are nested more than %(limit)s deep"),
                N_("%(token)s works on words, phrases and OR-groups of them"),
                N_("NEAR/ADJ/SAME works on words, phrases and OR-groups of them"),
                N_("%(field)s takes values combined with AND / OR / NOT"),
                N_("not an %(field)s symbol: %(value)s (e.g. H04N, H04N21/*, H04N21/431)"),
                N_("LS takes one of %(choices)s, not %(value)s"),
                N_("KIND takes a document kind (%(choices)s) or a kind code such as B2, not %(value)s"),
                N_("%(field)s takes a date or a range like 2010..2015"),
                N_("'%(value)s' is too broad: use a longer stem"),
                N_("'%(value)s' matches %(count)s words; at most %(limit)s are allowed"),
                N_("'%(value)s' is a stop word and cannot be used with NEAR/ADJ/SAME"),
                N_("the cursor is not one this service issued: start again from the first page"),
                N_("this cursor belongs to another query, sort order or grouping"),
                N_("%(ref)s names a set of a search history: sets are combined on the search page, logged in"),
                N_("unknown facet %(value)s; known: %(known)s"), N_("%(pn)s is not in the corpus")]


# A form value pydantic refuses, by its error type (api.pages.context.Page.explain): the limit in
# words with the field's label, instead of pydantic's English.
VALIDATION_MESSAGES = {
    "missing": N_("%(field)s is required"),
    "string_too_short": N_("%(field)s needs at least %(min_length)s characters"),
    "string_too_long": N_("%(field)s takes at most %(max_length)s characters"),
    "too_short": N_("%(field)s needs at least %(min_length)s entries"),
    "too_long": N_("%(field)s takes at most %(max_length)s entries"),
    "greater_than": N_("%(field)s must be greater than %(gt)s"),
    "greater_than_equal": N_("%(field)s must be at least %(ge)s"),
    "less_than": N_("%(field)s must be less than %(lt)s"),
    "less_than_equal": N_("%(field)s must be at most %(le)s"),
    "string_pattern_mismatch": N_("%(field)s is not written as expected"),
    "int_parsing": N_("%(field)s must be a whole number"),
    "int_from_float": N_("%(field)s must be a whole number"),
    "float_parsing": N_("%(field)s must be a number"),
    "finite_number": N_("%(field)s must be a number"),
    "date_parsing": N_("%(field)s is not a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("%(field)s is not a date (YYYY-MM-DD)"),
    "enum": N_("%(field)s is not one of the choices"),
    "literal_error": N_("%(field)s is not one of the choices"),
    "bool_parsing": N_("%(field)s is yes or no"),
}
# The labels of the form fields those messages name (the model's field names), in the context
# "form field": a label may not borrow another page's word ("Description" here is not a patent's 说明书).
FIELD = "form field"  # written out in each NP_ below: the extractor reads literals only
FIELD_LABELS = {
    "title": NP_("form field", "Title"), "description": NP_("form field", "Description"),
    "name": NP_("form field", "Name"), "key": NP_("form field", "Key"), "query": NP_("form field", "Query"),
    "body": NP_("form field", "Text"), "text": NP_("form field", "Text"), "reason": NP_("form field", "Reason"),
    "points": NP_("form field", "Points"), "kind": NP_("form field", "Kind"), "source": NP_("form field", "Source"),
    "occurred_on": NP_("form field", "Date"), "published": NP_("form field", "Published"),
    "yellow_pct": NP_("form field", "Foreign growth, yellow above (%)"),
    "red_pct": NP_("form field", "Foreign growth, red above (%)"),
    "min_keywords": NP_("form field", "Keywords for a yellow alert"),
    "red_keywords": NP_("form field", "Keywords for a red alert"), "territory": NP_("form field", "Territory"),
    "media": NP_("form field", "Media"), "fee": NP_("form field", "Fee"), "start_date": NP_("form field", "From"),
    "end_date": NP_("form field", "Until"), "licensee_email": NP_("form field", "Licensee's e-mail"),
    "rights": NP_("form field", "Rights"),
    "recipient_email": NP_("form field", "Recipient's e-mail"),
    "email": NP_("form field", "E-mail"), "password": NP_("form field", "Password"),
    "display_name": NP_("form field", "Display name"), "authors": NP_("form field", "Authors"),
    "summary": NP_("form field", "Summary"), "comment": NP_("form field", "Comment"),
    "rating": NP_("form field", "Rating"), "satisfaction": NP_("form field", "Rating"),
    "home_country": NP_("form field", "Home country"),
    "from_year": NP_("form field", "From year"), "to_year": NP_("form field", "To year"),
    "size": NP_("form field", "File size"), "action": NP_("form field", "Action"),
    "licence_number": NP_("form field", "Licence number"), "province": NP_("form field", "Province"),
    "city": NP_("form field", "City"), "service_types": NP_("form field", "Services"),
    "ipc_subclasses": NP_("form field", "Technical fields"), "practitioners": NP_("form field", "Practitioners"),
    "founded_year": NP_("form field", "Year founded"), "contact": NP_("form field", "Contact"),
    "product_keywords": NP_("form field", "Product keywords"), "watched": NP_("form field", "Watched competitors"),
    "last_day": NP_("form field", "New last day"),
}
# A page's query parameters named otherwise than their fields (a dashboard's ?home=&from=&to=)
FIELD_LABELS |= {"home": FIELD_LABELS["home_country"], "from": FIELD_LABELS["from_year"], "to": FIELD_LABELS["to_year"]}
# the values people change in an address by hand (a page number, a sort, a date of the audit trail)
PAGE_POSITION = NP_("form field", "Page position")
FIELD_LABELS |= {
    # "q" searches patents, agencies and forums alike: not "query", which names the patent query language
    "q": NP_("form field", "Search words"), "page": NP_("form field", "Page number"),
    "sort": NP_("form field", "Sort order"),
    "cursor": PAGE_POSITION, "start": PAGE_POSITION, "before": PAGE_POSITION, "f": NP_("form field", "Filter"),
    "group": NP_("form field", "Grouping"), "since": NP_("form field", "From (date)"),
    "until": NP_("form field", "To (date)"), "actor": NP_("form field", "Who (e-mail)"),
    "object_type": NP_("form field", "Object type"), "role": NP_("form field", "Role"),
    "status": NP_("form field", "Status"), "type": NP_("form field", "Work type"),
    "work_type": NP_("form field", "Work type"), "scope": NP_("form field", "Scope"),
    "service": NP_("form field", "Service"), "basis": NP_("form field", "Date basis"),
    "counting": NP_("form field", "Counting"), "lang": NP_("form field", "Language"),
    "language": NP_("form field", "Language"), "format": NP_("form field", "File format"),
    "fmt": NP_("form field", "File format"), "visibility": NP_("form field", "Shared with"),
    "org": NP_("form field", "Organisation"), "tag": NP_("form field", "Tag"),
    "pn": NP_("form field", "Publication number"), "pns": NP_("form field", "Publication number"),
    "expression": NP_("form field", "Combination"), "satisfaction": FIELD_LABELS["rating"],
    "limit": NP_("form field", "Rows to export"),
}
# a record's number in a page's address (/community/posts/12, /collections/3): said as such
ADDRESS_NUMBER = NP_("form field", "Number in the address")
ADDRESS_NUMBERS = frozenset({"cid", "number"})
UNLABELLED_FIELD = NP_("form field", "This field")  # a field without a label here: never its code name
# Validators' own sentences that reach forms (pydantic "Value error, ..."): translated as they are.
VALIDATOR_SENTENCES = [N_("end_date is before start_date"), N_("the licence ends before it starts"),
                       N_("not a country code (ISO 3166), such as CN or US")]

# Refusals of the feature packages (``Error.said`` templates; tests/api/pages/test_catalogs.py lists them)
FEATURE_ERRORS = [
    N_("the file is a program (%(kind)s): register it as computer software, or choose the work's own file"),
    N_("the file is empty: choose the work's own file"),
    N_("compare two to %(most)s different regions"),
    N_("%(name)s is a city: only a province has a table of cities"),
    N_("you have registered this file already, as %(number)s"),
    N_("IPC expertise is given by subclass, such as H04W: %(code)s is a whole class"),
    N_("IPC expertise is given by subclass, such as H04W: %(code)s is a whole section"),
    N_("a red threshold cannot be below its yellow one: foreign growth, red above %(red)s %% is below yellow "
       "above %(yellow)s %%"),
    N_("a red threshold cannot be below its yellow one: %(red)s keywords for a red alert are fewer than %(yellow)s "
       "for a yellow one"),
    N_("a product keyword is at most 100 characters"), N_("the date it happened is in the future"),
    N_("application %(number)s is %(status)s: nothing to assign"),
    N_("application %(number)s is already rated"),
    N_("application %(number)s is not finished yet"),
    N_("at most %(count)s files at a time"),
    N_("no account for %(email)s"),
    N_("no administrative division has the code %(code)s"),
    N_("no department %(code)s"),
    N_("no service %(code)s in the catalogue"),
    N_("no such material on %(number)s"),
    N_("registration %(number)s already has an open application: %(other)s"),
    N_("registration %(number)s is not held for review"),
    N_("registration %(number)s is not yours: only its registrant applies for it"),
    N_("that person is not %(role)s in this department"),
    N_("the amount is a sum in yuan, such as 1200 or 1200.50"),
    N_("the application is not valid: %(reason)s"),
    N_("the catalogue already has %(code)s"),
    N_("unknown field %(name)s"),
    N_("you can share a scope with an organisation you belong to only"),
    N_("scope keys starting with %(prefix)s are the regions' own"),
    N_("the key %(key)s is taken: choose another"),
    N_("nothing was added: not publication numbers: %(malformed)s; not in the corpus: %(numbers)s "
       "(check the numbers, e.g. US7654321B2, or leave them out)"),
    N_("nothing was added: not publication numbers: %(malformed)s (check the numbers, e.g. "
       "US7654321B2, or leave them out)"),
    N_("nothing was added: not in the corpus: %(numbers)s (check the numbers, e.g. US7654321B2, "
       "or leave them out)"),
    N_("%(pn)s is not in the collection"), N_("the collection holds %(pns)s: say which, with its kind"),
    N_("nothing was put back: never in the collection: %(pns)s"),
    N_("an exclusive licence (#%(id)s) already covers some of these rights then and there"),
    N_("%(number)s is %(status)s; rights can be recorded only for registered works"),
    N_("an organisation named %(name)r exists"),
    N_("not an e-mail address: “%(email)s”"),
    N_("%(email)s has no account yet: a new account needs a password"),
    N_("this account is deactivated: ask the site's administrator to reactivate it"),
    N_("an agency with licence %(number)s already exists"),
    N_("%(city)s is a municipality of its own, not in %(province)s"), N_("a forum named %(name)s exists"),
]

# Refusals raised with a plain message or by a template the extraction does not see (a daily limit,
# a lookup's not-found sentence), and the words some refusals name (Term): translated as listed here
REFUSALS = [
    N_('%(value)s is not a registration number: it reads like CR-2026-00000001'),
    N_('you can subscribe for an organisation you belong to only'),
    N_('subscription %(id)s not found'),
    N_('report %(id)s not found'),
    N_('report %(id)s is %(status)s'),
    N_('unknown scope %(key)s: use one of %(industries)s, a region (region-440000) or a scope you defined'),
    N_('you already reviewed this agency: edit your review on its page instead of writing another'),
    N_('the objection is already answered'),
    N_('page %(page)s of the directory not found'),
    N_('category %(id)s does not exist'),
    N_('only the author or a moderator may edit a post'),
    N_('only its author may delete a post'),
    N_('the opening post of a topic cannot be deleted: edit it, or ask a moderator to delete the topic'),
    N_('a post can be %(actions)s, not %(action)s'),
    N_('category %(id)s not found'),
    N_('no page %(number)s: the last page is %(pages)s'),
    N_('post %(id)s not found'),
    N_('topic %(id)s not found'),
    N_('new users may post at most %(n)s links'),
    N_('new users may post at most %(n)s image(s)'),
    N_('new users may open %(n)s topics a day'),
    N_('new users may post %(n)s replies a day'),
    N_("the registrant's signature does not verify over the canonical claim"),
    N_('registration %(number)s not found'),
    N_('%(number)s is %(status)s: no certificate until it is registered'),
    N_('%(number)s is revoked'),
    N_('the dispute is already resolved'),
    N_('%(number)s is not under review'),
    N_('%(field)s is not base64'),
    N_('send both registrant_public_key and registrant_signature, or neither'),
    N_('work: %(problem)s at %(where)s'),
    N_('dispute %(id)s not found'),
    N_('the log is empty: nothing is registered yet'),
    N_('no entry %(index)s in a tree of size %(size)s'),
    N_('need 1 <= first <= second <= log size'),
    N_('cannot read the %(what)s %(path)s: %(reason)s'),
    N_('%(path)s is not a published key set'),
    N_('%(path)s is not a certificate: not a JSON object'),
    N_('%(path)s is not {checkpoint, proof}'),
    N_('organisation %(id)s not found'),
    N_('page %(page)s of the accounts not found'),
    N_('requires role %(roles)s'),
    N_('only the owner of %(what)s or an admin may do this'),
    N_("only the organisation's admins may change it"),
    N_('API key %(id)s not found'),
    N_('a display name has 1 to 120 printable characters'),
    N_('password must have at least %(n)s characters'),
    N_('this password is easy to guess (a common password, a keyboard row, a sequence, a repeat or your own e-mail '
       'or name): choose a longer or less usual one'),
    N_('user %(id)s not found'),
    N_('log in or send an API key'),
    N_('notification %(id)s not found'),
    N_('collection %(id)s not found'),
    N_('note %(note)s not found in collection %(id)s'),
    N_('the task queue cannot take the load now; try again later'),
    N_('load %(id)s not found'),
    N_('the quarantine report of load %(id)s cannot be read'),
    N_('path contains a NUL byte'),
    N_('%(path)s is not a usable path: %(reason)s'),
    N_('%(path)s is outside the folders loads may read (%(roots)s)'),
    N_('%(path)s does not exist'),
    N_('Elasticsearch is not configured (IPC_ELASTICSEARCH_URL): load into embedded'),
    N_('only department staff and admins see the staff list'),
    N_("an upheld mediation enters the agency's integrity record: an admin approves it"),
    N_("the decision is the registry's review: a moderator approves or refuses it"),
    N_("the registry's review needs the platform's settings"),
    N_("only the department's head assigns its work"),
    N_('only the applicant rates the service'),
    N_("the agency number is the number in the directory's address"),
    N_('the supervision dashboard is for department staff and admins'),
    N_('not a SHA-256'),
    N_('the worklist is for department staff: an administrator gives the roles'),
    N_('%(number)s is under review: its review decides it, and it can be disputed once registered'),
    N_('you cannot dispute your own registration'),
    N_('give a file or folder inside the load roots, not a root itself'),
    N_('%(path)s is in more than one load root (%(roots)s): give its full path'),
    N_("the worklist is for department staff, and you hold no department role yet: give yourself or others a role "
       "on the hall's staff page"),
    N_('agency %(id)s not found'),
    N_('review %(id)s not found'),
    N_('claim %(id)s not found'),
    N_('objection %(id)s not found'),
    N_('integrity record %(id)s not found'),
    N_('admin or moderator'),
    N_('the collection'),
    N_("another member's note"),
    N_('this agency profile'),
    N_('certificate'),
    N_('key set'),
    N_('older checkpoint'),
    N_('witness policy'),
]

# Where a document was read from (PatentDocument.source_format), as the document page names it
SOURCE_FORMATS = {"uspto-grant": N_("USPTO grant full text (XML)"),
                  "uspto-application": N_("USPTO application full text (XML)"),
                  "uspto-pap": N_("USPTO application full text (XML, 2001-2004)"),
                  "cnipa-old": N_("CNIPA publication (XML, old format)"), "cnipa-new": N_("CNIPA publication (XML)"),
                  "epo": N_("EPO publication server (XML)"), "jpo": N_("JPO gazette (XML)"),
                  "docdb": N_("EPO DOCDB bibliographic data"), "ops": N_("EPO Open Patent Services"),
                  "lexisnexis": N_("LexisNexis full text (XML)")}
