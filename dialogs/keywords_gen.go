package dialogs

import (
	"fmt"
	"strings"
)

// What is made from the description table (keywords_doc.go): the editor
// annotations and the reference's keyword sections. The committed copies
// (bots/.parley/parley.lua, docs/dialogs.md) are compared with these by a
// test and rewritten by dialogs/internal/gendocs (go generate ./dialogs).

//go:generate go run ./internal/gendocs ..

// AnnotationsFile is where the annotations live in a bots directory: a
// folder without bot.yaml or start.lua, which is not a bot (load.go).
const AnnotationsFile = ".parley/parley.lua"

// ReferenceBegin and ReferenceEnd enclose the generated part of
// docs/dialogs.md.
const (
	ReferenceBegin = "<!-- keywords: generated from dialogs/keywords_doc.go by go generate ./dialogs; do not edit -->"
	ReferenceEnd   = "<!-- end of keywords -->"
)

// LuaAnnotations returns a LuaLS / EmmyLua definition file (---@meta) of
// every keyword and type, for editors: completion, hovers with the
// reference's text, and type checks of arguments and option tables.
func LuaAnnotations() string {
	var b strings.Builder
	b.WriteString(`---@meta _
-- Parley's keywords, for lua-language-server (LuaLS) and EmmyLua editors.
-- Generated from dialogs/keywords_doc.go by go generate ./dialogs: do not edit.
-- A bot's .luarc.json points workspace.library at this folder (parley new
-- writes both). Reference: docs/dialogs.md.
`)
	for _, t := range Types() {
		b.WriteString("\n")
		comment(&b, t.Summary)
		fmt.Fprintf(&b, "---@class %s\n", t.Name)
		for _, f := range t.Fields {
			fmt.Fprintf(&b, "---@field %s%s %s %s\n", f.Name, optional(f.Optional), f.Type, f.Doc)
		}
	}
	for _, k := range inReadingOrder() {
		b.WriteString("\n")
		comment(&b, k.Summary)
		for _, para := range []string{k.Doc, label("Errors", k.Errors), label("Replay", k.Replay)} {
			if para != "" {
				b.WriteString("---\n")
				comment(&b, para)
			}
		}
		b.WriteString("---\n---```lua\n")
		for line := range strings.SplitSeq(k.Example, "\n") {
			b.WriteString("---" + line + "\n")
		}
		b.WriteString("---```\n")
		if k.Type != "" {
			fmt.Fprintf(&b, "---@type %s\n%s = {}\n", k.Type, k.Name)
			continue
		}
		var names []string
		for i, p := range k.Params {
			name := p.Name
			if p.Variadic {
				name = "..."
			}
			fmt.Fprintf(&b, "---@param %s%s %s %s\n", name, optional(p.Optional && !p.Variadic), annotationType(k, i, p.Type), p.Doc)
			names = append(names, name)
		}
		for _, r := range k.Returns {
			fmt.Fprintf(&b, "---@return %s%s %s # %s\n", r.Type, optional(r.Optional), r.Name, r.Doc)
		}
		fmt.Fprintf(&b, "function %s(%s) end\n", k.Name, strings.Join(names, ", "))
	}
	return b.String()
}

// inReadingOrder is the keywords and tables in readingOrder.
func inReadingOrder() []KeywordDoc {
	list := make([]KeywordDoc, 0, len(readingOrder))
	for _, name := range readingOrder {
		if k, ok := Keyword(name); ok {
			list = append(list, k)
		}
	}
	return list
}

// annotationType is the type of k's parameter i for the annotations: its
// table is the option table's type, when k takes options there.
func annotationType(k KeywordDoc, i int, typ string) string {
	if i != 0 || k.OptionsType == "" {
		return typ
	}
	alts := strings.Split(typ, "|")
	for j, a := range alts {
		if a == "table" {
			alts[j] = k.OptionsType
		}
	}
	return strings.Join(alts, "|")
}

// forms are the ways to call k, for the reference: "HEAR([options]) ·
// HEAR{as = …, choices = …, retry = …} → answer".
func forms(k KeywordDoc) string {
	if k.Type != "" {
		var fields []string
		for _, t := range typeDocs {
			if t.Name == k.Type {
				for _, f := range t.Fields {
					fields = append(fields, "`"+k.Name+"."+f.Name+"`")
				}
			}
		}
		return strings.Join(fields, " · ")
	}
	s := "`" + k.Signature() + "`"
	if len(k.Options) > 0 {
		var opts []string
		for _, o := range k.Options {
			opts = append(opts, o.Name+" = …")
		}
		s += " · `" + k.Name + "{" + strings.Join(opts, ", ") + "}`"
	}
	if len(k.Returns) > 0 {
		var names []string
		for _, r := range k.Returns {
			names = append(names, r.Name)
		}
		s += " → " + strings.Join(names, ", ")
	}
	return s
}

func optional(o bool) string {
	if o {
		return "?"
	}
	return ""
}

func label(name, text string) string {
	if text == "" {
		return ""
	}
	return name + ": " + text
}

// comment writes text as "---" lines of at most about 80 columns.
func comment(b *strings.Builder, text string) {
	line := "---"
	for _, w := range strings.Fields(text) {
		if len(line) > 3 && len(line)+1+len(w) > 80 {
			b.WriteString(line + "\n")
			line = "---"
		}
		if len(line) > 3 {
			line += " "
		}
		line += w
	}
	b.WriteString(line + "\n")
}

// MarkdownReference returns the reference's keyword and type sections,
// ReferenceBegin to ReferenceEnd included: a "### NAME" heading per
// keyword with its call forms, parameters, options, results, errors,
// what a replay does and an example, then the types.
func MarkdownReference() string {
	var b strings.Builder
	b.WriteString(ReferenceBegin + "\n\n")
	b.WriteString("| keyword | summary |\n|---|---|\n")
	docs := inReadingOrder()
	for _, k := range docs {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s |\n", k.Name, strings.ToLower(k.Name), cell(k.Summary))
	}
	for _, k := range docs {
		fmt.Fprintf(&b, "\n### %s\n\n%s\n\n%s\n", k.Name, forms(k), k.Summary)
		if k.Doc != "" {
			fmt.Fprintf(&b, "\n%s\n", k.Doc)
		}
		if k.Type != "" {
			fmt.Fprintf(&b, "\nA table, [`%s`](#%s).\n", k.Type, anchor(k.Type))
		}
		if len(k.Params) > 0 {
			b.WriteString("\n| parameter | type | |\n|---|---|---|\n")
			for i, p := range k.Params {
				name := "`" + p.Name + "`"
				if p.Variadic {
					name = "`...` (" + p.Name + ")"
				} else if p.Optional {
					name += " (optional)"
				}
				fmt.Fprintf(&b, "| %s | %s | %s |\n", name, typeCell(annotationType(k, i, p.Type)), cell(p.Doc))
			}
		}
		if len(k.Options) > 0 {
			fmt.Fprintf(&b, "\nOptions ([`%s`](#%s); any other is an error):\n\n| option | type | |\n|---|---|---|\n", k.OptionsType, anchor(k.OptionsType))
			for _, o := range k.Options {
				typ := typeCell(o.Type)
				if len(o.Values) > 0 {
					typ = "`\"" + strings.Join(o.Values, "\"` \\| `\"") + "\"`"
				}
				fmt.Fprintf(&b, "| `%s` | %s | %s |\n", o.Name, typ, cell(o.Doc))
			}
		}
		if len(k.Returns) > 0 {
			b.WriteString("\n| returns | type | |\n|---|---|---|\n")
			for _, r := range k.Returns {
				typ := typeCell(r.Type)
				if r.Optional {
					typ += " or `nil`"
				}
				fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.Name, typ, cell(r.Doc))
			}
		}
		if k.Errors != "" {
			fmt.Fprintf(&b, "\n**Errors.** %s\n", k.Errors)
		}
		fmt.Fprintf(&b, "\n**Replay.** %s\n", k.Replay)
		fmt.Fprintf(&b, "\n```lua\n%s\n```\n", k.Example)
	}
	b.WriteString("\n## Types\n\nThe tables keywords take and return, as the editor annotations name them.\n")
	for _, t := range Types() {
		fmt.Fprintf(&b, "\n### %s\n\n%s\n", t.Name, t.Summary)
		b.WriteString("\n| field | type | |\n|---|---|---|\n")
		for _, f := range t.Fields {
			fmt.Fprintf(&b, "| `%s`%s | %s | %s |\n", f.Name, optionalCell(f.Optional), typeCell(f.Type), cell(f.Doc))
		}
	}
	b.WriteString("\n" + ReferenceEnd + "\n")
	return b.String()
}

func optionalCell(o bool) string {
	if o {
		return " (optional)"
	}
	return ""
}

// cell makes text fit in a table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// typeCell shows a LuaLS type in a table cell, its parley types linked.
func typeCell(ty string) string {
	parts := strings.Split(ty, "|")
	for i, p := range parts {
		base := strings.TrimRight(p, "[]?")
		if strings.HasPrefix(base, "parley.") {
			parts[i] = fmt.Sprintf("[`%s`](#%s)", p, anchor(base))
		} else {
			parts[i] = "`" + p + "`"
		}
	}
	return strings.Join(parts, " \\| ")
}

// anchor is GitHub's anchor of a "### parley.Name" heading.
func anchor(name string) string { return strings.ToLower(strings.ReplaceAll(name, ".", "")) }

// ReplaceReference returns doc (docs/dialogs.md) with its generated part,
// from ReferenceBegin to ReferenceEnd, made anew.
func ReplaceReference(doc string) (string, error) {
	begin := strings.Index(doc, ReferenceBegin)
	end := strings.Index(doc, ReferenceEnd)
	if begin < 0 || end < begin {
		return "", fmt.Errorf("the markers of the generated part are missing:\n%s\n…\n%s", ReferenceBegin, ReferenceEnd)
	}
	rest := strings.TrimPrefix(doc[end+len(ReferenceEnd):], "\n")
	return doc[:begin] + MarkdownReference() + rest, nil
}
