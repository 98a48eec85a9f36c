// Package i18n is the web UI's message catalogue: every text of the UI in
// English, Dutch and Spanish, the choice of a language from the user's
// setting or the browser's, and dates and numbers in the user's locale
// and time zone.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"

	"golang.org/x/text/language"
)

//go:embed messages/*.json
var messageFS embed.FS

// Languages are the languages the UI speaks, the default first.
var Languages = []string{"en", "nl", "es"}

// Catalogue holds every message of every language, by key.
type Catalogue struct {
	messages map[string]map[string]string
	matcher  language.Matcher
}

// Load reads the catalogue. Every language must have exactly the keys of
// the default one, so a missing translation fails the start, not a page.
func Load() (*Catalogue, error) {
	c := &Catalogue{messages: map[string]map[string]string{}}
	tags := make([]language.Tag, 0, len(Languages))
	for _, lang := range Languages {
		data, err := messageFS.ReadFile("messages/" + lang + ".json")
		if err != nil {
			return nil, fmt.Errorf("reading the %s messages: %w", lang, err)
		}
		msgs := map[string]string{}
		if err := json.Unmarshal(data, &msgs); err != nil {
			return nil, fmt.Errorf("reading the %s messages: %w", lang, err)
		}
		c.messages[lang] = msgs
		tags = append(tags, language.MustParse(lang))
	}
	if err := c.checkKeys(); err != nil {
		return nil, err
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

func (c *Catalogue) checkKeys() error {
	base := c.messages[Languages[0]]
	for _, lang := range Languages[1:] {
		for key := range base {
			if _, ok := c.messages[lang][key]; !ok {
				return fmt.Errorf("message %q has no %s translation", key, lang)
			}
		}
		for key := range c.messages[lang] {
			if _, ok := base[key]; !ok {
				return fmt.Errorf("message %q of %s is not in %s", key, lang, Languages[0])
			}
		}
	}
	return nil
}

// Has tells whether key is a message.
func (c *Catalogue) Has(key string) bool {
	_, ok := c.messages[Languages[0]][key]
	return ok
}

// Keys lists every message key, sorted.
func (c *Catalogue) Keys() []string {
	keys := slices.Collect(maps.Keys(c.messages[Languages[0]]))
	sort.Strings(keys)
	return keys
}

// Choose picks the language: the user's setting when it is one the UI
// speaks, else the best match of the browser's Accept-Language header,
// else English.
func (c *Catalogue) Choose(setting, acceptLanguage string) string {
	if slices.Contains(Languages, setting) {
		return setting
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Languages[0]
	}
	_, index, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return Languages[0]
	}
	return Languages[index]
}
