// Package schemas ships imgadmit's JSON Schemas (draft 2020-12).
//
// The tree is the contract for what a request may say:
//
//	request.json              the envelope every request shares (provider, operation, region, params, resources)
//	facts.json                the facts the rulebook reads, one closed object per resource kind
//	inventory.json            the --data document: resources plus settings
//	identities.json           the sidecar's --identities file: who may ask, as which projects
//	common.json               value shapes shared by the others (ids, regions, names, tags)
//	<provider>/<op>.json      the complete schema for one provider/operation pair
//
// Which pairs exist is read from the <provider>/ directories, so adding an operation is
// adding a file. Only package evaluator compiles these; everyone else sees FS.
package schemas

import "embed"

// FS holds every schema file, at the paths shown in the package comment.
//
//go:embed *.json */*.json
var FS embed.FS
