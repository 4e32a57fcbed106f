package main

import (
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/gobwas/glob"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// matchFiles returns the files (not directories) under dir matching globs, by their slash-separated
// path relative to dir. The rules are upstream's: gobwas/glob patterns with `/` as separator (`*`
// stops at `/`, `**` does not), a leading `!` excludes, and rules apply in order.
func matchFiles(dir string, globs []string) (map[string]string, error) {
	type rule struct {
		exclude bool
		match   glob.Glob
	}
	rules := make([]rule, 0, len(globs))
	for _, g := range globs {
		exclude := strings.HasPrefix(g, "!")
		compiled, err := glob.Compile(strings.TrimPrefix(g, "!"), '/')
		if err != nil {
			return nil, err
		}
		rules = append(rules, rule{exclude, compiled})
	}
	files := map[string]string{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, r := range rules {
			if !r.match.Match(rel) {
				continue
			}
			if r.exclude {
				delete(files, rel)
			} else {
				files[rel] = path.Join(dir, rel)
			}
		}
		return nil
	})
	return files, err
}

// globAssets is the `assets` output: each matching file as a path asset, keyed by its relative path.
func globAssets(dir string, globs []string) (resource.PropertyValue, error) {
	files, err := matchFiles(dir, globs)
	if err != nil {
		return resource.PropertyValue{}, err
	}
	assets := resource.PropertyMap{}
	for rel, full := range files {
		asset, err := resource.NewPathAsset(full)
		if err != nil {
			return resource.PropertyValue{}, err
		}
		assets[resource.PropertyKey(rel)] = resource.NewAssetProperty(asset)
	}
	return resource.NewObjectProperty(assets), nil
}

// globArchive is the `archive` output: one archive of the matching files, by relative path.
func globArchive(dir string, globs []string) (resource.PropertyValue, error) {
	files, err := matchFiles(dir, globs)
	if err != nil {
		return resource.PropertyValue{}, err
	}
	members := map[string]any{}
	for rel, full := range files {
		asset, err := resource.NewPathAsset(full)
		if err != nil {
			return resource.PropertyValue{}, err
		}
		members[rel] = asset
	}
	archive, err := resource.NewAssetArchive(members)
	if err != nil {
		return resource.PropertyValue{}, err
	}
	return resource.NewArchiveProperty(archive), nil
}
